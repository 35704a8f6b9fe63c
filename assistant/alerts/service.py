"""The alert service: an asyncio loop that consumes the ledger's outbox and sends due deliveries, waking every
`poll_s`, when a retry falls due, and when poked (the app pokes it after a confirmation that reported low stock).

Deliveries are sent concurrently across targets and one at a time per target; a delivery is marked sent only when
its target accepted it, and a failure is kept on the row (attempts, last error) and retried with exponential
backoff. Stopping gives back the claims it did not finish, so a new instance sends them at once."""

from __future__ import annotations

import asyncio
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
from assistant.outbox.loop import DeliveryLoop
from assistant.world.schema import World

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PassReport:
    consumed: Consumed
    sent: tuple[int, ...] = ()  # delivery ids
    failed: tuple[int, ...] = ()


class AlertService(DeliveryLoop[Claimed]):
    def __init__(self, engine: Engine, world: World, targets: Sequence[Target], *, rules: AlertRules | None = None,
                 policy: DeliveryPolicy | None = None, clock: Clock = utcnow) -> None:
        names = [target.name for target in targets]
        if len(set(names)) != len(names):
            raise ValueError(f"alert target names must be unique: {names}")
        self._targets = {target.name: target for target in targets}
        self.consumer = AlertConsumer(engine, world, targets, rules, clock=clock)
        self.store = AlertStore(engine, world, clock=clock)
        super().__init__("alerts", self.store, names, policy or DeliveryPolicy(), clock)

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
            results = await asyncio.gather(*(self._send_in_turn(rows, deadline) for rows in by_target.values()))
            sent = tuple(i for ok, _ in results for i in ok)
            failed = tuple(i for _, bad in results for i in bad)
            return PassReport(consumed=consumed, sent=sent, failed=failed)

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
        return error is None
