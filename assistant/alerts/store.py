"""Reading alerts, and the delivery outbox's bookkeeping: claim due rows, mark them sent or failed.

A claim moves a row's `next_attempt_at` forward by a lease in its own short transaction (PostgreSQL: the rows are
picked with FOR UPDATE SKIP LOCKED), so two delivery services never send one row at the same time; a row whose
sender died is due again when the lease ends. A row is marked sent only after its target accepted it, so a crash
between the two sends it again (at least once); it is never deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import sessionmaker

from assistant.alerts.models import AlertDelivery, AlertStatus, DeliveryStatus, StockAlert
from assistant.alerts.views import Alert, Delivery, alert_view, delivery_view
from assistant.ledger.db import read_only
from assistant.ledger.types import utcnow
from assistant.outbox import rows
from assistant.world.schema import World

Clock = Callable[[], dt.datetime]
MAX_ERROR = 500  # characters of a failure kept on the row
PENDING = str(DeliveryStatus.pending)


@dataclass(frozen=True)
class Claimed:
    """A delivery this process holds for one attempt."""

    id: int
    target: str
    attempts: int  # failed attempts before this one
    alert: Alert


class AlertStore:
    """Blocking database work: call it from a worker thread."""

    def __init__(self, engine: Engine, world: World, *, clock: Clock = utcnow) -> None:
        self._world = world
        self._clock = clock
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(engine), expire_on_commit=False)

    # --- reading -------------------------------------------------------------------------------------------

    def alerts(self, site: str | None = None, status: AlertStatus | None = None, limit: int = 100) -> list[Alert]:
        """The newest alerts first (of a site, of a status)."""
        query = select(StockAlert)
        if site is not None:
            query = query.where(StockAlert.site == site)
        if status is not None:
            query = query.where(StockAlert.status == str(status))
        with self._read.begin() as session:
            found = session.scalars(query.order_by(StockAlert.id.desc()).limit(limit)).all()
            return [alert_view(row, self._world) for row in found]

    def alert(self, alert_id: int) -> Alert | None:
        with self._read.begin() as session:
            row = session.get(StockAlert, alert_id)
            return alert_view(row, self._world) if row is not None else None

    def deliveries(self, alert_id: int | None = None, status: DeliveryStatus | None = None) -> list[Delivery]:
        query = select(AlertDelivery)
        if alert_id is not None:
            query = query.where(AlertDelivery.alert_id == alert_id)
        if status is not None:
            query = query.where(AlertDelivery.status == str(status))
        with self._read.begin() as session:
            return [delivery_view(row) for row in session.scalars(query.order_by(AlertDelivery.id))]

    def next_due(self, targets: Collection[str]) -> dt.datetime | None:
        """When the earliest pending delivery to one of `targets` is due."""
        with self._read.begin() as session:
            return rows.next_due(session, AlertDelivery, AlertDelivery.target, PENDING, targets)

    # --- the outbox ----------------------------------------------------------------------------------------

    def claim(self, targets: Collection[str], limit: int, lease_s: float) -> list[Claimed]:
        """Take up to `limit` due pending deliveries to `targets` (oldest due first) for one attempt each."""
        with self._write.begin() as session:
            claimed = rows.claim_due(session, AlertDelivery, AlertDelivery.target, PENDING, targets, self._clock(),
                                     limit, lease_s)
            if not claimed:
                return []
            alerts = {a.id: a for a in session.scalars(
                select(StockAlert).where(StockAlert.id.in_({row.alert_id for row in claimed})))}
            return [Claimed(id=row.id, target=row.target, attempts=row.attempts,
                            alert=alert_view(alerts[row.alert_id], self._world)) for row in claimed]

    def sent(self, delivery_id: int) -> None:
        now = self._clock()
        with self._write.begin() as session:
            session.execute(update(AlertDelivery)
                            .where(AlertDelivery.id == delivery_id,
                                   AlertDelivery.status == str(DeliveryStatus.pending))
                            .values(status=str(DeliveryStatus.sent), sent_at=now,
                                    attempts=AlertDelivery.attempts + 1, last_error=None),
                            execution_options={"synchronize_session": False})

    def failed(self, delivery_id: int, error: str, retry_in_s: float) -> None:
        now = self._clock()
        with self._write.begin() as session:
            session.execute(update(AlertDelivery)
                            .where(AlertDelivery.id == delivery_id,
                                   AlertDelivery.status == str(DeliveryStatus.pending))
                            .values(attempts=AlertDelivery.attempts + 1, last_error=error[:MAX_ERROR],
                                    next_attempt_at=now + dt.timedelta(seconds=retry_in_s)),
                            execution_options={"synchronize_session": False})

    def release(self, delivery_ids: Sequence[int]) -> None:
        """Give back claims that were never attempted to the end (a stopping service): due again now."""
        with self._write.begin() as session:
            rows.release(session, AlertDelivery, PENDING, delivery_ids, self._clock())


def forget_alerts(engine: Engine) -> None:
    """Delete every alert and delivery (with a reset of the demo ledger, whose history they describe)."""
    with sessionmaker(engine).begin() as session:
        session.execute(delete(AlertDelivery))
        session.execute(delete(StockAlert))
