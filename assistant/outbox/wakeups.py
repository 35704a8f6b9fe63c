"""Documents changed: wake the delivery loops that feed on them now instead of at their next poll (a partner hears
of a confirmed sale in a moment, not up to `poll_s` later). Polling stays the safety net: a wake-up that is lost
(another process confirmed the sale) costs at most one poll interval."""

from __future__ import annotations

from collections.abc import Callable


class Wakeups:
    def __init__(self) -> None:
        self._pokes: list[Callable[[], None]] = []

    def add(self, poke: Callable[[], None]) -> Callable[[], None]:
        """Register a loop's `poke` (from the event loop's thread); returns how to take it off again."""
        self._pokes.append(poke)
        return lambda: self._pokes.remove(poke) if poke in self._pokes else None

    def wake(self) -> None:
        for poke in list(self._pokes):
            poke()
