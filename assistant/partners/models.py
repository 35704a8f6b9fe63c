"""The partner push's own tables (own metadata, created by Alembic revision 0011): one row per document event
worth telling partners about, with the exact body every partner is sent, and one delivery row per (event, partner).

Both hang off the ledger's document with ON DELETE CASCADE: resetting the demo ledger clears them, and a document
id used again after a reset gets a new event id."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.ledger import models as ledger
from assistant.ledger.models import NAMING
from assistant.ledger.types import UtcDateTime


class DeliveryStatus(StrEnum):
    pending = "pending"  # not delivered yet (or tried and failed: see attempts and last_error)
    delivered = "delivered"  # the partner answered 2xx


class PartnersBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PartnerEvent(PartnersBase):
    """A document event for partners: at most one per (document, type), so its id is the event's identity."""

    __tablename__ = "partner_events"
    __table_args__ = (UniqueConstraint("document_id", "type"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID: X-Frontline-Event-Id
    document_id: Mapped[str] = mapped_column(ForeignKey(ledger.Document.id, ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))  # an EventType
    site: Mapped[str] = mapped_column(String(32))
    source_event: Mapped[int | None] = mapped_column(Integer)  # the document_events row it came from
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, byte for byte the same on every attempt
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PartnerDelivery(PartnersBase):
    """The outbox of events to partners: written in the event's transaction, unique per (event, partner), marked
    delivered only on a 2xx answer, never deleted by the sender."""

    __tablename__ = "partner_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered')", name="status"),
        UniqueConstraint("event_id", "partner"),
        Index("ix_partner_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_partner_deliveries_document_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey(PartnerEvent.id, ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(String(16))  # the event's, for the delivery log by document
    site: Mapped[str] = mapped_column(String(32))
    partner: Mapped[str] = mapped_column(String(64))  # a configured partner's name
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)  # due time; a claim pushes it by the lease
    last_error: Mapped[str | None] = mapped_column(Text)  # "HTTP 503", "ConnectError": never a secret or URL
    last_status: Mapped[int | None] = mapped_column(Integer)  # the partner's last HTTP status, if it answered
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
