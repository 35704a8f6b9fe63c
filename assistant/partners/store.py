"""The delivery log, and the outbox's bookkeeping: claim due rows, mark them delivered or failed.

Claims, leases and their release as the alerts' outbox takes them (`assistant.outbox.rows`). A row
is marked delivered only after the partner's 2xx, so a crash between the two sends it again: the receiver drops the
repeat by its event id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from assistant.ledger.db import read_only
from assistant.ledger.types import utcnow
from assistant.outbox import rows
from assistant.partners.models import DeliveryStatus, PartnerDelivery, PartnerEvent
from assistant.partners.views import Delivery, delivery_view

Clock = Callable[[], dt.datetime]
MAX_ERROR = 500  # characters of a failure kept on the row
PENDING = str(DeliveryStatus.pending)


@dataclass(frozen=True)
class Claimed:
    """A delivery this process holds for one attempt."""

    id: int
    partner: str
    attempts: int  # failed attempts before this one
    event_id: str
    body: str


class PartnerStore:
    """Blocking database work: call it from a worker thread."""

    def __init__(self, engine: Engine, *, clock: Clock = utcnow) -> None:
        self._clock = clock
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(engine), expire_on_commit=False)

    def deliveries(self, site: str | None = None, document: str | None = None, limit: int = 200) -> list[Delivery]:
        """The delivery log, newest first (of a site, of a document)."""
        query = select(PartnerDelivery, PartnerEvent).join(PartnerEvent, PartnerEvent.id == PartnerDelivery.event_id)
        if site is not None:
            query = query.where(PartnerDelivery.site == site)
        if document is not None:
            query = query.where(PartnerDelivery.document_id == document)
        with self._read.begin() as session:
            found = session.execute(query.order_by(PartnerDelivery.id.desc()).limit(limit)).all()
            return [delivery_view(row, event) for row, event in found]

    def next_due(self, partners: Collection[str]) -> dt.datetime | None:
        with self._read.begin() as session:
            return rows.next_due(session, PartnerDelivery, PartnerDelivery.partner, PENDING, partners)

    def claim(self, partners: Collection[str], limit: int, lease_s: float) -> list[Claimed]:
        """Take up to `limit` due pending deliveries to `partners` (oldest due first) for one attempt each."""
        with self._write.begin() as session:
            claimed = rows.claim_due(session, PartnerDelivery, PartnerDelivery.partner, PENDING, partners,
                                     self._clock(), limit, lease_s)
            if not claimed:
                return []
            found = session.execute(select(PartnerEvent.id, PartnerEvent.body)
                                    .where(PartnerEvent.id.in_({row.event_id for row in claimed}))).tuples()
            bodies = {event_id: body for event_id, body in found}  # (a Result has keys(): not dict(found))
            return [Claimed(id=row.id, partner=row.partner, attempts=row.attempts, event_id=row.event_id,
                            body=bodies[row.event_id]) for row in claimed]

    def delivered(self, delivery_id: int, status: int) -> None:
        with self._write.begin() as session:
            session.execute(update(PartnerDelivery)
                            .where(PartnerDelivery.id == delivery_id,
                                   PartnerDelivery.status == str(DeliveryStatus.pending))
                            .values(status=str(DeliveryStatus.delivered), delivered_at=self._clock(),
                                    attempts=PartnerDelivery.attempts + 1, last_error=None, last_status=status),
                            execution_options={"synchronize_session": False})

    def failed(self, delivery_id: int, error: str, status: int | None, retry_in_s: float) -> None:
        now = self._clock()
        with self._write.begin() as session:
            session.execute(update(PartnerDelivery)
                            .where(PartnerDelivery.id == delivery_id,
                                   PartnerDelivery.status == str(DeliveryStatus.pending))
                            .values(attempts=PartnerDelivery.attempts + 1, last_error=error[:MAX_ERROR],
                                    last_status=status, next_attempt_at=now + dt.timedelta(seconds=retry_in_s)),
                            execution_options={"synchronize_session": False})

    def release(self, delivery_ids: Sequence[int]) -> None:
        """Give back claims never attempted to the end (a stopping service): due again now."""
        with self._write.begin() as session:
            rows.release(session, PartnerDelivery, PENDING, delivery_ids, self._clock())
