"""The delivery loop both outboxes run (alerts, partner webhooks): wake every `poll_s`, when a retry falls due or
when poked; one pass at a time; rows sent concurrently across destinations and one at a time per destination, a row
whose lease could end during its attempt given back; stopping gives back the claims it did not finish, so a new
instance sends them at once. Subclasses say what a pass is and how one row is sent."""

from __future__ import annotations

import asyncio
import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Generic, Protocol, TypeVar

import structlog

from assistant.outbox.policy import DeliveryPolicy

log = structlog.get_logger(__name__)


class Row(Protocol):
    @property
    def id(self) -> int: ...


class LeaseStore(Protocol):
    def release(self, ids: Sequence[int], /) -> None: ...

    def next_due(self, names: Collection[str], /) -> datetime | None: ...


R = TypeVar("R", bound=Row)


class DeliveryLoop(ABC, Generic[R]):
    def __init__(self, name: str, store: LeaseStore, destinations: Sequence[str], policy: DeliveryPolicy,
                 clock: Callable[[], datetime]) -> None:
        self._name = name  # "alerts", "partners": the task's and the log events' prefix
        self._lease_store = store
        self._destinations = list(destinations)
        self._policy = policy
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: set[int] = set()
        self._pass_lock = asyncio.Lock()

    @abstractmethod
    async def run_once(self) -> object:
        """One pass: consume, claim, then `_send_in_turn` per destination."""

    @abstractmethod
    async def _send(self, row: R) -> bool:
        """One attempt of one row: True when the destination took it (the row marked done or failed)."""

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name=f"{self._name}-delivery")
        log.info(f"{self._name}.started", destinations=sorted(self._destinations))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        unfinished, self._in_flight = sorted(self._in_flight), set()
        if unfinished:
            await asyncio.to_thread(self._lease_store.release, unfinished)
        log.info(f"{self._name}.stopped", released=len(unfinished))

    def poke(self) -> None:
        """Run a pass now (from the event loop's thread)."""
        self._wake.set()

    def poke_threadsafe(self) -> None:
        """Run a pass now (from any thread, e.g. a ledger call in a worker thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    # --- sending ---------------------------------------------------------------------------------------

    async def _send_in_turn(self, rows: Sequence[R], lease_end: float) -> tuple[list[int], list[int]]:
        """One destination's rows, one at a time; a row whose lease could end during its attempt is given back
        instead (another sender may claim it then: it must not be in flight here)."""
        done: list[int] = []
        failed: list[int] = []
        for index, row in enumerate(rows):
            if time.monotonic() + self._policy.send_timeout_s >= lease_end:
                left = [r.id for r in rows[index:]]
                await asyncio.to_thread(self._lease_store.release, left)
                self._in_flight.difference_update(left)
                break
            (done if await self._send(row) else failed).append(row.id)
            self._in_flight.discard(row.id)
        return done, failed

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again on the next wake
                log.exception(f"{self._name}.pass_failed")
            await self._sleep()

    async def _sleep(self) -> None:
        timeout = self._policy.poll_s
        with contextlib.suppress(Exception):
            due = await asyncio.to_thread(self._lease_store.next_due, self._destinations)
            if due is not None:
                timeout = min(timeout, max(0.0, (due - self._clock()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
