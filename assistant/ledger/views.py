"""What the ledger returns: plain pydantic values, detached from the database session.

Plans are JSON-serialisable so a caller may keep one between the read-back and the confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from assistant.ledger.states import DocStatus, DocType


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class LocationStock(_View):
    location: str
    location_name: str
    item: str
    item_name: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal  # on_hand - reserved


class CustomerRef(_View):
    code: str
    name: str


class DocumentLine(_View):
    item: str
    item_name: str
    qty_base: Decimal
    from_location: str | None
    to_location: str | None
    unit_price: Decimal | None  # per `price_unit`, e.g. 168.00 per jin
    price_unit: str | None
    line_total: Decimal | None
    lot: str | None = None
    expiry: dt.date | None = None


class LowStock(_View):
    site: str
    item: str
    available: Decimal  # site total at storage locations (rack/store/shelf), after the change
    minimum: Decimal


class Document(_View):
    id: str
    type: DocType
    status: DocStatus
    site: str
    customer: CustomerRef | None
    date: dt.date | None
    device: str | None
    worker: str | None
    turn_id: str | None  # the turn that created it
    lines: list[DocumentLine]
    total: Decimal | None  # sales orders: sum of line totals; transfers: None
    created_at: dt.datetime
    updated_at: dt.datetime
    low_stock: list[LowStock] = []  # only on the result of the call that caused it
    decided_by: str | None = None  # who approved or rejected a transfer that waited for approval
    turns: list[str] = []  # the turns that made it and changed its status, in order (the turn record's ids)
    delivery_date: dt.date | None = None  # a sale: delivered at the latest on this day
    delivery_place: str | None = None  # a sale: where the goods go


class LedgerEvent(_View):
    id: int
    kind: str  # "low_stock": payload has site, item, available, minimum, document, turn_id
    payload: dict[str, Any]
    created_at: dt.datetime


class PlanLeg(_View):
    location: str
    qty: Decimal


class TransferPlan(_View):
    site: str
    item: str
    qty_base: Decimal
    destination: str
    source: str | None  # as asked; None lets the ledger pick storage locations
    legs: tuple[PlanLeg, ...]


class SalesPlanLine(_View):
    item: str
    qty_base: Decimal
    unit_price: Decimal | None
    price_unit: str | None
    line_total: Decimal | None
    legs: tuple[PlanLeg, ...]


class SalesPlan(_View):
    """`customer` is a known customer's code, or None with `new_customer` the name to register on confirming."""

    site: str
    customer: str | None
    doc_date: dt.date
    lines: tuple[SalesPlanLine, ...]
    total: Decimal | None
    new_customer: str | None = None
    delivery_date: dt.date | None = None
    delivery_place: str | None = None
