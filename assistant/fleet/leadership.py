"""Who may dispatch: exactly one process at a time assigns AGVs, publishes orders and instant actions from the
outbox and resends them (the leader); every other process only watches the vehicles and writes requests into
the database for the leader to pick up (a follower).

`SoloCoordinator` is the one-box default (SQLite, one process): it simply leads. `PgCoordinator`
(`assistant.fleet.pg_coordinator`) elects one leader among the processes sharing a PostgreSQL database."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy import Engine

Dispatch = Literal["auto", "never"]  # auto: lead when elected (always, on SQLite); never: stay a follower


@dataclass(frozen=True)
class Hooks:
    """What the coordinator calls back; each runs on the event loop, one at a time."""

    on_elected: Callable[[], Awaitable[None]]  # just became the leader: rebuild from the database
    on_deposed: Callable[[], Awaitable[None]]  # not the leader any more (dispatching already stopped)
    on_wake: Callable[[], Awaitable[None]]  # a follower wrote work for the leader (a transfer, a cancel)
    on_event: Callable[[str], Awaitable[None]]  # an event the leader emitted in another process (its JSON)


class Coordinator(Protocol):
    @property
    def leading(self) -> bool:
        """This process leads now (dropped at once when the leadership is lost)."""

    async def start(self, hooks: Hooks) -> None: ...

    async def stop(self) -> None:
        """Give up the leadership (another process may take it at once) and stop listening."""

    def exclusive(self) -> contextlib.AbstractAsyncContextManager[bool]:
        """Serialise fleet changes across processes; yields whether this process leads, checked inside (a
        fencing check: a leader that lost its lock a moment ago never acts as one inside)."""

    async def wake(self) -> None:
        """Tell the leader that there is new work in the database."""

    async def broadcast(self, event_json: str) -> None:
        """Hand an emitted event to the other processes (their own sockets)."""


class SoloCoordinator:
    """One process, no election: it leads unless told never to (`dispatch = never`)."""

    def __init__(self, dispatch: Dispatch = "auto") -> None:
        self._may_lead = dispatch != "never"
        self._leading = False

    @property
    def leading(self) -> bool:
        return self._leading

    async def start(self, hooks: Hooks) -> None:
        if self._may_lead:
            self._leading = True
            await hooks.on_elected()

    async def stop(self) -> None:
        self._leading = False

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[bool]:
        # The service's own asyncio lock already serialises everything within the one process.
        yield self._leading

    async def wake(self) -> None:
        return None

    async def broadcast(self, event_json: str) -> None:
        return None


def lock_namespace(base_topic: str) -> int:
    """The advisory-lock namespace of one fleet (its topic base): a positive int4, so two fleets on one
    database (tests, or two interfaces) never share a leader."""
    return zlib.crc32(f"frontline-fleet:{base_topic}".encode()) & 0x7FFFFFFF


def coordinator_for(engine: Engine, *, base_topic: str, dispatch: Dispatch, retry_s: float, check_s: float,
                    origin: str) -> Coordinator:
    """PostgreSQL: elect a leader among the processes (several may share it). SQLite: one process, the leader."""
    if engine.dialect.name != "postgresql":
        return SoloCoordinator(dispatch)
    from assistant.fleet.pg_coordinator import PgCoordinator  # psycopg only where PostgreSQL is used

    return PgCoordinator(engine, namespace=lock_namespace(base_topic), dispatch=dispatch, retry_s=retry_s,
                         check_s=check_s, origin=origin)
