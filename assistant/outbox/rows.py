"""The lease bookkeeping both outbox tables share (alert deliveries, partner deliveries): when the next pending row
is due, claim due rows for one attempt each, give unfinished claims back.

A claim moves a row's `next_attempt_at` forward by the lease in its caller's short transaction (PostgreSQL: rows
picked with FOR UPDATE SKIP LOCKED; SQLite: one writer at a time), so two senders never send one row at the same
time; a row whose sender died is due again when the lease ends. Each table names its destination column (an alert's
`target`, a webhook's `partner`) and its pending status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


class OutboxRow(Protocol):
    id: Any
    status: Any
    next_attempt_at: Any


R = TypeVar("R", bound=OutboxRow)


def next_due(session: Session, model: type[OutboxRow], destination: InstrumentedAttribute[str],
             pending: str, destinations: Collection[str]) -> dt.datetime | None:
    """When the earliest pending row to one of `destinations` is due."""
    due: dt.datetime | None = session.scalar(
        select(func.min(model.next_attempt_at))
        .where(model.status == pending, destination.in_(sorted(destinations))))
    if due is not None and due.tzinfo is None:  # an aggregate skips the column type on SQLite
        due = due.replace(tzinfo=dt.UTC)
    return due


def claim_due(session: Session, model: type[R], destination: InstrumentedAttribute[str], pending: str,
              destinations: Collection[str], now: dt.datetime, limit: int, lease_s: float) -> list[R]:
    """Up to `limit` due pending rows to `destinations` (oldest due first), leased until `now + lease_s`."""
    rows = list(session.scalars(
        select(model)
        .where(model.status == pending, model.next_attempt_at <= now, destination.in_(sorted(destinations)))
        .order_by(model.next_attempt_at, model.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).all())
    lease_end = now + dt.timedelta(seconds=lease_s)
    for row in rows:
        row.next_attempt_at = lease_end
    return rows


def release(session: Session, model: type[OutboxRow], pending: str, ids: Sequence[int], now: dt.datetime) -> None:
    """Claims never attempted to the end (a stopping service): due again `now`."""
    if ids:
        session.execute(update(model).where(model.id.in_(list(ids)), model.status == pending)
                        .values(next_attempt_at=now), execution_options={"synchronize_session": False})
