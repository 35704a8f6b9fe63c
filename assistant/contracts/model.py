"""What a purchase-sale contract says, as typed values: the parties, the goods, the totals and the terms. Built from a
confirmed sales order (build.py), filled into the clause template (template.py) and laid out as a PDF (render.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Frozen):
    """One side of the contract, as it signs: the seller's details from the world's company, the buyer's from the
    customer (what a customer has no record of is None and printed as a blank to fill in by hand)."""

    name: str
    tax_id: str | None = None
    address: str | None = None
    phone: str | None = None
    bank: str | None = None
    account: str | None = None
    contact: str | None = None  # who signs and receives the goods
    legal_representative: str | None = None


class ContractLine(_Frozen):
    product: str  # 品名
    spec: str  # 规格 ("—" when the item has none)
    unit: str  # the unit the price is quoted in (吨, 斤)
    quantity: Decimal  # in `unit`
    unit_price: Decimal  # VAT included, per `unit`
    tax_rate: Decimal  # 0.13
    amount: Decimal  # VAT included
    net: Decimal  # amount without VAT
    tax: Decimal  # amount - net


class Contract(_Frozen):
    number: str  # HT-FS-SO-000123: one per sales order
    document_id: str
    site: str
    signed_on: dt.date  # the contract's date: the day it is made, at the site
    seller: Party  # 甲方 (供方)
    buyer: Party  # 乙方 (需方)
    lines: tuple[ContractLine, ...]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal  # 价税合计
    total_in_capitals: str  # 大写
    delivery_date: dt.date | None  # the order's date: when the customer wants the goods
    delivery_place: str | None  # the customer's address unless the order names another
    sign_place: str | None  # where it is signed: the seller's address
