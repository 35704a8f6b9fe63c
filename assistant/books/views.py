"""Vouchers as read back: each with its lines (account code and names, debit, credit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from assistant.books.models import VoucherEvent

VOUCHER_WORD = "记"  # 记账凭证: the one voucher word of a small business's books


class VoucherLineView(BaseModel):
    model_config = ConfigDict(frozen=True)
    line_no: int
    account: str
    account_name: str
    account_name_en: str
    summary: str
    debit: Decimal
    credit: Decimal


class VoucherView(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int
    site: str
    number: str  # 凭证字号: "记-0001" (numbered per site and month)
    date: dt.date
    document: str
    event: VoucherEvent
    summary: str
    lines: tuple[VoucherLineView, ...]
    debit: Decimal
    credit: Decimal


def voucher_number(number: int) -> str:
    return f"{VOUCHER_WORD}-{number:04d}"
