"""The books' own tables (own metadata, created by Alembic revision 0010): vouchers and their lines, the voucher
numbers issued per site and month, and the moving-average cost per site and item.

Every table hangs off a ledger row with ON DELETE CASCADE (the document, the site, the item): resetting the demo
ledger deletes its documents and master data, and with them their vouchers and costs, without knowing the books."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from assistant.ledger import models as ledger
from assistant.ledger.models import NAMING
from assistant.ledger.types import Dec, UtcDateTime

MONEY = Dec(18, 2)
QTY = Dec(18, 3)
UNIT_COST = Dec(18, 6)


class VoucherEvent(StrEnum):
    """The document event a voucher books: each posts at most once per document (a unique constraint)."""

    sale = "sale"  # receivable / revenue / output VAT
    delivery = "delivery"  # cost of goods sold / inventory, at the moving-average cost
    sale_reversal = "sale_reversal"  # the sale cancelled: its sale voucher in red (negative amounts, 红字冲销)
    delivery_reversal = "delivery_reversal"  # the goods back: its delivery voucher in red, at the cost they left at


class BooksBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Voucher(BooksBase):
    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("document_id", "event"),  # exactly once per document event
        UniqueConstraint("site", "period", "number"),
        CheckConstraint("event IN ('sale', 'delivery', 'sale_reversal', 'delivery_reversal')", name="event"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey(ledger.Site.code, ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # "2026-11": numbers restart each month
    number: Mapped[int] = mapped_column(Integer)  # 记-0001
    date: Mapped[dt.date] = mapped_column(Date)
    document_id: Mapped[str] = mapped_column(ForeignKey(ledger.Document.id, ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)  # 摘要, in Chinese (what the bookkeeper reads)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    lines: Mapped[list[VoucherLine]] = relationship(order_by="VoucherLine.line_no", cascade="all, delete-orphan",
                                                    passive_deletes=True)


class VoucherLine(BooksBase):
    __tablename__ = "voucher_lines"
    __table_args__ = (
        UniqueConstraint("voucher_id", "line_no"),
        CheckConstraint("debit = 0 OR credit = 0", name="one_side"),  # negative: a reversal in red
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(32))  # an account code of the world's books
    summary: Mapped[str] = mapped_column(Text)
    debit: Mapped[Decimal] = mapped_column(MONEY)
    credit: Mapped[Decimal] = mapped_column(MONEY)
    item: Mapped[str | None] = mapped_column(String(32))  # cost lines: the item and quantity they value
    qty: Mapped[Decimal | None] = mapped_column(QTY)


class VoucherCounter(BooksBase):
    """The last voucher number per site and month; its row lock serialises numbering on PostgreSQL."""

    __tablename__ = "voucher_counters"
    site: Mapped[str] = mapped_column(ForeignKey(ledger.Site.code, ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer)


class ItemCost(BooksBase):
    """The moving-average unit cost (per base unit, VAT excluded) of an item at a site and the quantity it values.
    Created at the item's first costed event after a reset, from the world's opening stock."""

    __tablename__ = "item_costs"
    __table_args__ = (CheckConstraint("unit_cost >= 0", name="unit_cost_nonnegative"),)
    site: Mapped[str] = mapped_column(ForeignKey(ledger.Site.code, ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey(ledger.Item.code, ondelete="CASCADE"), primary_key=True)
    qty: Mapped[Decimal] = mapped_column(QTY)
    unit_cost: Mapped[Decimal] = mapped_column(UNIT_COST)
