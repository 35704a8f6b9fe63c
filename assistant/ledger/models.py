"""Ledger tables (SQLAlchemy 2 typed ORM). Quantities are NUMERIC(18,3) in the item's base unit, as Decimal.

Stock move semantics (append-only; rows are never updated):
- `qty` is always positive. On-hand changes by -qty at `from_location` and +qty at `to_location`, for the
  kinds that move goods: `opening` (to only), `transfer` (from -> to), `sale` (from only: goods leave;
  a cancelled sale is written as a `sale` with `to_location` only: goods come back).
- `reserve` / `release` do not change on-hand: they add / remove `qty` to `reserved` at `from_location`.
So for every stock row: on_hand = sum(+to, -from over opening|transfer|sale) and
reserved = sum(reserve) - sum(release) at that location.

Master data mirrors the world file (maps stay in the world file)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from assistant.ledger.states import DocStatus, DocType, MoveKind
from assistant.ledger.types import Dec, UtcDateTime

# Deterministic constraint names: identical on SQLite and PostgreSQL, and in the migration.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

QTY = Dec(18, 3)
MONEY = Dec(18, 2)
CODE = String(32)


def _in(column: str, values: type[DocType] | type[DocStatus] | type[MoveKind] | tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


LOCATION_KINDS = ("rack", "line", "qc", "dock", "shelf", "store")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


# --- master data ---------------------------------------------------------------------------------------


class Unit(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    names: Mapped[list[str]]
    base: Mapped[str | None] = mapped_column(String(16))
    factor: Mapped[Decimal | None] = mapped_column(Dec(18, 6))
    per_item: Mapped[bool] = mapped_column(Boolean)


class Site(Base):
    __tablename__ = "sites"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    map: Mapped[str | None] = mapped_column(String(64))


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (CheckConstraint(_in("kind", LOCATION_KINDS), name="kind"),)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]]
    kind: Mapped[str] = mapped_column(String(16))
    node: Mapped[str | None] = mapped_column(String(32))


class Item(Base):
    __tablename__ = "items"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    gtin: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]]
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    box_size: Mapped[int | None] = mapped_column(Integer)
    price_per: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    price: Mapped[Decimal | None] = mapped_column(MONEY)


class SafetyStock(Base):
    __tablename__ = "safety_stock"
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"), primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey("items.code"), primary_key=True)
    minimum: Mapped[Decimal] = mapped_column(QTY)


class Customer(Base):
    __tablename__ = "customers"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    aliases: Mapped[list[str]]


class Worker(Base):
    __tablename__ = "workers"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"))
    devices: Mapped[list[str]]
    language: Mapped[str] = mapped_column(String(8))


class Device(Base):
    __tablename__ = "devices"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))


class Agv(Base):
    __tablename__ = "agvs"
    serial: Mapped[str] = mapped_column(CODE, primary_key=True)
    manufacturer: Mapped[str] = mapped_column(String(200))
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"))
    home: Mapped[str] = mapped_column(CODE)
    payload_kg: Mapped[Decimal] = mapped_column(QTY)


# --- stock and documents -------------------------------------------------------------------------------


class Stock(Base):
    """Current balance per (site, location, item); kept equal to the sum of its stock moves."""

    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("reserved >= 0", name="reserved_nonnegative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"), primary_key=True)
    location: Mapped[str] = mapped_column(ForeignKey("locations.code"), primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey("items.code"), primary_key=True)
    on_hand: Mapped[Decimal] = mapped_column(QTY)
    reserved: Mapped[Decimal] = mapped_column(QTY)


class DocumentCounter(Base):
    """Last number issued per document type; its row lock serialises numbering on PostgreSQL."""

    __tablename__ = "document_counters"
    doc_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_in("type", DocType), name="type"),
        CheckConstraint(_in("status", DocStatus), name="status"),
        Index("ix_documents_site_created_at", "site", "created_at"),
    )
    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # "TR-000001", "SO-000001"
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"))
    customer: Mapped[str | None] = mapped_column(ForeignKey("customers.code"))
    doc_date: Mapped[date | None] = mapped_column(Date)
    device: Mapped[str | None] = mapped_column(CODE)  # audit only: no foreign key, any caller may write
    worker: Mapped[str | None] = mapped_column(CODE)
    turn_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(CODE)  # the supervisor or manager who approved or rejected it
    # The read-back this document was written for (its proposal's key): confirming the same read-back again (an app
    # that died after writing, before answering) finds this document instead of writing a second one.
    confirms: Mapped[str | None] = mapped_column(String(64), unique=True)
    delivery_date: Mapped[date | None] = mapped_column(Date)  # a sale: delivered at the latest on this day
    delivery_place: Mapped[str | None] = mapped_column(String(200))  # a sale: where the goods go
    lines: Mapped[list[DocumentLine]] = relationship(order_by="DocumentLine.line_no")


class DocumentLine(Base):
    __tablename__ = "document_lines"
    __table_args__ = (
        CheckConstraint("qty_base > 0", name="qty_positive"),
        UniqueConstraint("document_id", "line_no"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(ForeignKey("items.code"))
    qty_base: Mapped[Decimal] = mapped_column(QTY)
    from_location: Mapped[str | None] = mapped_column(ForeignKey("locations.code"))
    to_location: Mapped[str | None] = mapped_column(ForeignKey("locations.code"))
    unit_price: Mapped[Decimal | None] = mapped_column(MONEY)  # per `price_unit` (e.g. 168.00 per jin)
    price_unit: Mapped[str | None] = mapped_column(String(16))
    line_total: Mapped[Decimal | None] = mapped_column(MONEY)
    lot: Mapped[str | None] = mapped_column(String(64))  # GS1 (10), from a scanned label
    expiry: Mapped[date | None] = mapped_column(Date)  # GS1 (17)


class StockMove(Base):
    """Append-only journal of every stock change; see the module docstring for the delta semantics."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint(_in("kind", MoveKind), name="kind"),
        CheckConstraint("qty > 0", name="qty_positive"),
        Index("ix_stock_moves_site_item", "site", "item"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UtcDateTime)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    turn_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    site: Mapped[str] = mapped_column(ForeignKey("sites.code"))
    item: Mapped[str] = mapped_column(ForeignKey("items.code"))
    from_location: Mapped[str | None] = mapped_column(ForeignKey("locations.code"))
    to_location: Mapped[str | None] = mapped_column(ForeignKey("locations.code"))
    qty: Mapped[Decimal] = mapped_column(QTY)
    lot: Mapped[str | None] = mapped_column(String(64))
    expiry: Mapped[date | None] = mapped_column(Date)


@event.listens_for(StockMove, "before_update")
def _moves_are_append_only(_mapper: Mapper[StockMove], _conn: Connection, target: StockMove) -> None:
    raise RuntimeError(f"stock move {target.id} is append-only; write a compensating move instead")


class DocumentEvent(Base):
    """One row per status change (creation has from_status NULL): answers "what did this turn touch"."""

    __tablename__ = "document_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    turn_id: Mapped[str | None] = mapped_column(String(64), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerEvent(Base):
    """Outbox of things to tell people about (low stock, ...), delivered later by the alerting side."""

    __tablename__ = "ledger_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered: Mapped[bool] = mapped_column(Boolean, index=True)
