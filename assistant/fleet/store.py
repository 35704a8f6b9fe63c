"""The fleet's own tables (own metadata, created on start): transfer ↔ AGV order links and the outbox.

The outbox row is written in the same transaction as the link, before anything is published; rows stay
pending until the vehicle's state echoes the orderId/orderUpdateId (or the cancel actionId), and are resent
after every reconnect. Resending is harmless: a vehicle ignores an orderId/orderUpdateId it already holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Text,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from assistant.fleet.models import ACTIVE, AgvOrderView, LinkStatus, WaitReason


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FleetBase(DeclarativeBase):
    """Separate metadata from the ledger's; the tables are created by Alembic (revisions 0003, 0004)."""


class FleetTransfer(FleetBase):
    __tablename__ = "fleet_transfers"

    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site: Mapped[str] = mapped_column(String(16))
    turn_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    serial: Mapped[str | None] = mapped_column(String(64))
    manufacturer: Mapped[str | None] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    order_update_id: Mapped[int] = mapped_column(Integer, default=0)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    picked: Mapped[bool] = mapped_column(Boolean, default=False)
    sources: Mapped[list[str]] = mapped_column(JSON)  # location codes
    destination: Mapped[str] = mapped_column(String(32))
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # route nodes, pick/drop indices of the order
    route_m: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(16))  # WaitReason; no text is stored (revision 0004)
    detail: Mapped[str | None] = mapped_column(Text)  # the vehicle's error description behind agv_error
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    def view(self) -> AgvOrderView:
        return AgvOrderView(
            doc_id=self.doc_id, site=self.site, status=LinkStatus(self.status), serial=self.serial,
            order_id=self.order_id, order_update_id=self.order_update_id, sources=tuple(self.sources),
            destination=self.destination, picked=self.picked, route_m=self.route_m,
            reason=WaitReason(self.reason) if self.reason else None, detail=self.detail,
            updated_at=self.updated_at)


class OutboxMessage(FleetBase):
    __tablename__ = "fleet_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)  # order:<orderId>:<updateId> | action:<actionId>
    doc_id: Mapped[str | None] = mapped_column(String(32), index=True)
    manufacturer: Mapped[str] = mapped_column(String(64))
    serial: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(32))  # order | instantActions
    order_id: Mapped[str | None] = mapped_column(String(64))
    order_update_id: Mapped[int | None] = mapped_column(Integer)
    action_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    dropped: Mapped[bool] = mapped_column(Boolean, default=False)  # superseded or finished: never resend


def outbox_order(doc_id: str, message: dict[str, Any]) -> OutboxMessage:
    return OutboxMessage(
        key=f"order:{message['orderId']}:{message['orderUpdateId']}", doc_id=doc_id,
        manufacturer=message["manufacturer"], serial=message["serialNumber"], topic="order",
        order_id=message["orderId"], order_update_id=message["orderUpdateId"], payload=message,
        created_at=utcnow(), dropped=False)


def outbox_action(doc_id: str | None, message: dict[str, Any]) -> OutboxMessage:
    action_id = message["actions"][0]["actionId"]
    return OutboxMessage(key=f"action:{action_id}", doc_id=doc_id, manufacturer=message["manufacturer"],
                         serial=message["serialNumber"], topic="instantActions", action_id=action_id,
                         payload=message, created_at=utcnow(), dropped=False)


class FleetStore:
    """Short synchronous transactions (the service runs them in a worker thread)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    def create_tables(self) -> None:
        FleetBase.metadata.create_all(self._engine)

    def clear(self) -> None:
        """Forget every AGV order (demo reset: the ledger's documents are gone too)."""
        FleetBase.metadata.create_all(self._engine)
        with self._session() as session, session.begin():
            session.execute(delete(OutboxMessage))
            session.execute(delete(FleetTransfer))

    def link(self, doc_id: str) -> FleetTransfer | None:
        with self._session() as session:
            return session.get(FleetTransfer, doc_id)

    def links(self, statuses: Iterable[LinkStatus] | None = None) -> list[FleetTransfer]:
        query = select(FleetTransfer).order_by(FleetTransfer.created_at, FleetTransfer.doc_id)
        if statuses is not None:
            query = query.where(FleetTransfer.status.in_([str(s) for s in statuses]))
        with self._session() as session:
            return list(session.scalars(query).all())

    def active_link_for(self, serial: str) -> FleetTransfer | None:
        with self._session() as session:
            return session.scalars(select(FleetTransfer).where(
                FleetTransfer.serial == serial, FleetTransfer.status.in_([str(s) for s in ACTIVE]))).first()

    def save(self, link: FleetTransfer, outbox: Sequence[OutboxMessage] = (), *,
             supersede: bool = False) -> list[OutboxMessage]:
        """Write the link and its new outbox rows in one transaction; `supersede` drops the doc's older
        pending rows (a new attempt or a finished/cancelled order must never be resent)."""
        link.updated_at = utcnow()
        with self._session() as session, session.begin():
            if supersede:
                session.execute(update(OutboxMessage).where(
                    OutboxMessage.doc_id == link.doc_id, OutboxMessage.acked_at.is_(None),
                    OutboxMessage.topic == "order").values(dropped=True))
            session.merge(link)
            fresh = [row for row in outbox
                     if session.scalars(select(OutboxMessage.id).where(OutboxMessage.key == row.key)).first() is None]
            session.add_all(fresh)
        return fresh

    def save_outbox(self, rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
        with self._session() as session, session.begin():
            session.add_all(rows)
        return list(rows)

    def pending(self) -> list[OutboxMessage]:
        with self._session() as session:
            return list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.acked_at.is_(None), OutboxMessage.dropped.is_(False)).order_by(OutboxMessage.id)).all())

    def cancel_under_way(self, serial: str, known_action_ids: Iterable[str]) -> bool:
        """A stored instant action (the outbox holds only cancelOrder) for this vehicle is still to be delivered,
        or the vehicle reports it among its actions."""
        ids = list(known_action_ids)
        waiting = and_(OutboxMessage.acked_at.is_(None), OutboxMessage.dropped.is_(False))
        with self._session() as session:
            return session.scalars(select(OutboxMessage.id).where(
                OutboxMessage.serial == serial, OutboxMessage.topic == "instantActions",
                or_(waiting, OutboxMessage.action_id.in_(ids)) if ids else waiting).limit(1)).first() is not None

    def mark_published(self, ids: Sequence[int]) -> None:
        if ids:
            with self._session() as session, session.begin():
                session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(published_at=utcnow()))

    def ack(self, serial: str, order_id: str, order_update_id: int, action_ids: Iterable[str]) -> int:
        """Mark what the vehicle's state shows it holds as delivered; returns how many rows changed."""
        ids = list(action_ids)
        now = utcnow()
        with self._session() as session, session.begin():
            orders = session.execute(update(OutboxMessage).where(
                OutboxMessage.serial == serial, OutboxMessage.topic == "order", OutboxMessage.acked_at.is_(None),
                OutboxMessage.order_id == order_id, OutboxMessage.order_update_id <= order_update_id)
                .values(acked_at=now))
            actions = session.execute(update(OutboxMessage).where(
                OutboxMessage.serial == serial, OutboxMessage.acked_at.is_(None),
                OutboxMessage.action_id.in_(ids)).values(acked_at=now)) if ids else None
        return int(orders.rowcount or 0) + int(actions.rowcount if actions is not None else 0)  # type: ignore[attr-defined]
