"""What the app remembers about a device between its turns, as one small interface: the default keeps it in this
process (one box), a shared one keeps it where every app process sees it (several processes behind one address).

Kept here: per-device values with an optional lifetime (the language of its last words, what its conversation waits
for, its recent scans, where it was last seen), the one-turn-at-a-time lock, and the turn rate. What must survive a
restart is not kept here: documents, approvals and chat de-duplication live in the database, conversations in Rasa's
tracker store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from pydantic import JsonValue


class StateUnavailable(Exception):
    """The shared state store did not answer (Redis down or unreachable): the turn is not taken, nothing written."""


class DeviceBusy(Exception):
    """Another turn of the device held its lock for longer than a turn may wait (a turn stuck in another process,
    or many queued): this one is not taken."""

    def __init__(self, device: str, waited_s: float) -> None:
        super().__init__(f"{device}: another turn still running after {waited_s:.0f} s")
        self.device, self.waited_s = device, waited_s


class DeviceState(Protocol):
    """Per-device values and the per-device turn lock."""

    def turn(self, device: str) -> AbstractAsyncContextManager[None]:
        """Held for the whole of one turn of `device`: its turns run one at a time, in arrival order (within a
        process; across processes in the order the lock is granted). May raise `DeviceBusy`."""
        ...

    async def put(self, device: str, name: str, value: JsonValue, ttl_s: float | None = None) -> None:
        """Remember `value` under `name` for `device`; after `ttl_s` seconds it is gone (None: kept as long as the
        store keeps idle devices)."""
        ...

    async def get(self, device: str, name: str) -> JsonValue | None:
        ...

    async def pop(self, device: str, name: str) -> JsonValue | None:
        """The value, taken: the next `get` or `pop` finds nothing (exactly one caller gets it)."""
        ...


class TurnRate(Protocol):
    """Turns per device: a token bucket of `burst` refilled at `per_second`."""

    async def take(self, device: str) -> int | None:
        """None when the device may take a turn now (and it is counted); else the whole seconds to wait."""
        ...


Deliver = Callable[[str, Any], Awaitable[None]]  # (device, JSON body) → to the sockets this process holds


class PushBus(Protocol):
    """Carries a push to every app process, so the one that holds the device's socket delivers it."""

    async def start(self, deliver: Deliver) -> None:
        """Listen: every message published (by any process, this one too) is handed to `deliver`. Returns once
        listening, so a message published after it is not missed."""
        ...

    async def publish(self, device: str, body: Any) -> None:
        ...

    async def aclose(self) -> None:
        ...
