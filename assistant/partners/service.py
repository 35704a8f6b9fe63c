"""The partner push service: an asyncio loop that turns new document events into partner deliveries and POSTs the
due ones, waking every `poll_s`, when a retry falls due, and when poked.

A delivery is POSTed with the injected `httpx.AsyncClient`, signed afresh on each attempt (a new timestamp, the
same body and event id). A 2xx answer marks it delivered; anything else (another status, no answer within
`send_timeout_s`, a connection error) keeps it pending with its attempts, the status and a short error (never the
URL or the secret), and it is tried again after an exponential, capped, jittered backoff. Rows are sent
concurrently across partners and one at a time per partner. Stopping gives back the claims it did not finish."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy import Engine

from assistant.ledger.service import Ledger
from assistant.ledger.types import utcnow
from assistant.outbox import DeliveryPolicy
from assistant.outbox.loop import DeliveryLoop
from assistant.partners.config import Partner, PartnerRules
from assistant.partners.consumer import Clock, PartnerConsumer
from assistant.partners.signing import signed_headers
from assistant.partners.store import Claimed, PartnerStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PassReport:
    events: tuple[str, ...] = ()  # new partner event ids
    delivered: tuple[int, ...] = ()  # delivery ids
    failed: tuple[int, ...] = ()


class PartnerService(DeliveryLoop[Claimed]):
    def __init__(self, engine: Engine, ledger: Ledger, partners: Sequence[Partner], http: httpx.AsyncClient, *,
                 rules: PartnerRules | None = None, policy: DeliveryPolicy | None = None,
                 clock: Clock = utcnow) -> None:
        names = [p.name for p in partners]
        if len(set(names)) != len(names):
            raise ValueError(f"partner names must be unique: {names}")
        self._partners = {p.name: p for p in partners}
        self._http = http
        self.consumer = PartnerConsumer(engine, ledger, partners, rules, clock=clock)
        self.store = PartnerStore(engine, clock=clock)
        super().__init__("partners", self.store, names, policy or DeliveryPolicy(), clock)

    async def run_once(self) -> PassReport:
        """Consume new document events, then send every due delivery once."""
        async with self._pass_lock:
            events = await asyncio.to_thread(self.consumer.consume)
            deadline = time.monotonic() + self._policy.lease_s  # taken before the claim: never later than its lease
            claimed = await asyncio.to_thread(self.store.claim, list(self._partners), self._policy.batch_size,
                                              self._policy.lease_s)
            self._in_flight.update(c.id for c in claimed)
            by_partner: dict[str, list[Claimed]] = defaultdict(list)
            for row in claimed:
                by_partner[row.partner].append(row)
            results = await asyncio.gather(*(self._send_in_turn(rows, deadline) for rows in by_partner.values()))
            return PassReport(events=tuple(events), delivered=tuple(i for ok, _ in results for i in ok),
                              failed=tuple(i for _, bad in results for i in bad))

    async def _send(self, row: Claimed) -> bool:
        partner = self._partners[row.partner]
        body = row.body.encode()
        headers = signed_headers(partner.secret.get_secret_value(), row.event_id, int(self._clock().timestamp()),
                                 body)
        status: int | None = None
        error: str | None = None
        try:
            response = await self._http.post(str(partner.url), content=body, headers=headers,
                                             timeout=self._policy.send_timeout_s)
            status = response.status_code
            if not response.is_success:
                error = f"HTTP {status}"
        except httpx.TimeoutException:
            error = f"no answer within {self._policy.send_timeout_s:g} s"
        except httpx.HTTPError as exc:  # its message may hold the URL: keep the kind only
            error = type(exc).__name__
        if error is None:
            assert status is not None
            await asyncio.to_thread(self.store.delivered, row.id, status)
            log.info("partners.delivered", delivery=row.id, event_id=row.event_id, partner=row.partner,
                     attempt=row.attempts + 1, status=status)
        else:
            delay = self._policy.jittered_delay(row.attempts + 1)
            await asyncio.to_thread(self.store.failed, row.id, error, status, delay)
            log.warning("partners.delivery_failed", delivery=row.id, event_id=row.event_id, partner=row.partner,
                        attempt=row.attempts + 1, error=error, retry_in_s=round(delay, 3))
        return error is None
