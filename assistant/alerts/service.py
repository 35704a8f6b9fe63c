"""The alert service: an asyncio loop that consumes the ledger's outbox and sends due deliveries, waking every
`poll_s`, when a retry falls due, and when poked (the app pokes it after a confirmation that reported low stock).

Deliveries are sent concurrently across targets and one at a time per target; a delivery is marked sent only when
its target accepted it, and a failure is kept on the row (attempts, last error) and retried with exponential
backoff. Stopping gives back the claims it did not finish, so a new instance sends them at once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine

from assistant.alerts.config import AlertRules, DeliveryPolicy
from assistant.alerts.consumer import AlertConsumer, Clock, Consumed
from assistant.alerts.store import AlertStore, Claimed
from assistant.alerts.targets import DeliveryFailed, Target
from assistant.ledger.types import utcnow
from assistant.world.schema import World

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PassReport:
    consumed: Consumed
    sent: tuple[int, ...] = ()  # delivery ids
    failed: tuple[int, ...] = ()


class AlertService:
    def __init__(self, engine: Engine, world: World, targets: Sequence[Target], *, rules: AlertRules | None = None,
                 policy: DeliveryPolicy | None = None, clock: Clock = utcnow) -> None:
        names = [target.name for target in targets]
        if len(set(names)) != len(names):
            raise ValueError(f"alert target names must be unique: {names}")
        self._targets = {target.name: target for target in targets}
        self._policy = policy or DeliveryPolicy()
        self._clock = clock
        self.consumer = AlertConsumer(engine, world, targets, rules, clock=clock)
        self.store = AlertStore(engine, world, clock=clock)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: set[int] = set()
        self._pass_lock = asyncio.Lock()

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="alerts-delivery")
        log.info("alerts.started", targets=sorted(self._targets))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        unfinished, self._in_flight = sorted(self._in_flight), set()
        if unfinished:
            await asyncio.to_thread(self.store.release, unfinished)
        log.info("alerts.stopped", released=len(unfinished))

    def poke(self) -> None:
        """Run a pass now (from the event loop's thread)."""
        self._wake.set()

    def poke_threadsafe(self) -> None:
        """Run a pass now (from any thread, e.g. a ledger call in a worker thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    # --- one pass --------------------------------------------------------------------------------------

    async def run_once(self) -> PassReport:
        """Consume the ledger's outbox, then send every due delivery once."""
        async with self._pass_lock:
            consumed = await asyncio.to_thread(self.consumer.consume)
            deadline = time.monotonic() + self._policy.lease_s  # taken before the claim: never later than its lease
            claimed = await asyncio.to_thread(self.store.claim, list(self._targets), self._policy.batch_size,
                                              self._policy.lease_s)
            self._in_flight.update(c.id for c in claimed)
            by_target: dict[str, list[Claimed]] = defaultdict(list)
            for delivery in claimed:
                by_target[delivery.target].append(delivery)
            results = await asyncio.gather(*(self._send_all(rows, deadline) for rows in by_target.values()))
            sent = tuple(i for ok, _ in results for i in ok)
            failed = tuple(i for _, bad in results for i in bad)
            return PassReport(consumed=consumed, sent=sent, failed=failed)

    async def _send_all(self, rows: list[Claimed], lease_end: float) -> tuple[list[int], list[int]]:
        """One target's rows, one at a time; a row whose lease could end during its attempt is given back instead
        (another sender may claim it then: it must not be in flight here)."""
        sent: list[int] = []
        failed: list[int] = []
        for index, row in enumerate(rows):
            if time.monotonic() + self._policy.send_timeout_s >= lease_end:
                left = [r.id for r in rows[index:]]
                await asyncio.to_thread(self.store.release, left)
                self._in_flight.difference_update(left)
                break
            (sent if await self._send(row) else failed).append(row.id)
        return sent, failed

    async def _send(self, row: Claimed) -> bool:
        target = self._targets[row.target]
        error: str | None = None
        try:
            await asyncio.wait_for(target.deliver(row.alert), self._policy.send_timeout_s)
        except DeliveryFailed as exc:
            error = str(exc) or type(exc).__name__
        except TimeoutError:
            error = f"no answer within {self._policy.send_timeout_s:g} s"
        except Exception as exc:  # a broken target must not stop the loop; its message may not be safe to store
            log.exception("alerts.target_raised", target=row.target, delivery=row.id)
            error = f"{type(exc).__name__} raised by the target"
        if error is None:
            await asyncio.to_thread(self.store.sent, row.id)
            log.info("alerts.delivered", delivery=row.id, alert=row.alert.id, target=row.target,
                     attempt=row.attempts + 1)
        else:
            delay = self._policy.jittered_delay(row.attempts + 1)
            await asyncio.to_thread(self.store.failed, row.id, error, delay)
            log.warning("alerts.delivery_failed", delivery=row.id, alert=row.alert.id, target=row.target,
                        attempt=row.attempts + 1, error=error, retry_in_s=round(delay, 3))
        self._in_flight.discard(row.id)
        return error is None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again on the next wake
                log.exception("alerts.pass_failed")
            await self._sleep()

    async def _sleep(self) -> None:
        timeout = self._policy.poll_s
        with contextlib.suppress(Exception):
            due = await asyncio.to_thread(self.store.next_due, list(self._targets))
            if due is not None:
                timeout = min(timeout, max(0.0, (due - self._clock()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
