"""The alerts' own tables (own metadata, created by Alembic revision 0009): one row per breach of a safety stock,
and one delivery row per (alert, target).

No text is stored: an alert keeps codes and numbers, and its words are rendered from the catalogue when it is sent.
No foreign key points into the ledger's tables: resetting the demo ledger (which deletes its events and moves)
never has to know about alerts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.ledger.models import NAMING
from assistant.ledger.types import Dec, UtcDateTime

QTY = Dec(18, 3)


class AlertStatus(StrEnum):
    open = "open"  # the item is (still) below its safety stock at the site
    closed = "closed"  # its available storage stock came back to the minimum or above


class DeliveryStatus(StrEnum):
    pending = "pending"  # not sent yet (or sent and failed: see attempts and last_error)
    sent = "sent"  # the target accepted it


_OPEN = "status = 'open'"


class AlertsBase(DeclarativeBase):
    """Separate metadata from the ledger's (with its naming convention); the tables are created by Alembic (0009)."""

    metadata = MetaData(naming_convention=NAMING)


class StockAlert(AlertsBase):
    """One breach: opened when an item's available storage stock at a site falls below its minimum, closed when it
    recovers. At most one open alert per (site, item): the partial unique index holds it even against two
    consumers that both missed the other's row."""

    __tablename__ = "stock_alerts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index("uq_stock_alerts_open_site_item", "site", "item", unique=True,
              sqlite_where=text(_OPEN), postgresql_where=text(_OPEN)),
        Index("ix_stock_alerts_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(Integer)  # the ledger event that opened it (None: found in history)
    document: Mapped[str | None] = mapped_column(String(16))  # the document whose move crossed the minimum
    turn_id: Mapped[str | None] = mapped_column(String(64))
    available: Mapped[Decimal] = mapped_column(QTY)  # available storage stock when the alert was opened
    minimum: Mapped[Decimal] = mapped_column(QTY)
    consumption: Mapped[Decimal] = mapped_column(QTY)  # confirmed outgoing quantity over the last window_days
    window_days: Mapped[int] = mapped_column(Integer)
    lead_time_days: Mapped[Decimal] = mapped_column(Dec(8, 2))
    order_multiple: Mapped[int] = mapped_column(Integer)  # the box size the suggestion was rounded up to (1: none)
    suggested: Mapped[Decimal] = mapped_column(QTY)  # suggested reorder quantity, base unit
    # The stock history this alert has been checked against: the last stock move of (site, item) looked at and the
    # available storage stock after it. Each pass replays only the moves after it (see levels.py).
    checked_move_id: Mapped[int] = mapped_column(Integer)
    checked_level: Mapped[Decimal] = mapped_column(QTY)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_level: Mapped[Decimal | None] = mapped_column(QTY)  # the available stock it recovered to


class AlertDelivery(AlertsBase):
    """The outbox of alerts to targets: written in the alert's own transaction, unique per (alert, target), marked
    sent only when the target accepted it, never deleted by the sender."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent')", name="status"),
        UniqueConstraint("alert_id", "target"),
        Index("ix_alert_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("stock_alerts.id"))
    target: Mapped[str] = mapped_column(String(64))  # a configured target's name ("dg-wecom", "push", ...)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)  # due time; a claim pushes it by the lease
    last_error: Mapped[str | None] = mapped_column(Text)  # what the last failure was; never a key, token or URL
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
