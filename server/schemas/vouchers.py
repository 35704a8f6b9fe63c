"""Vouchers as the API shows them: amounts as strings with two decimals ("168.00"), never floats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json")]


class VoucherLineOut(BaseModel):
    line_no: int
    account: str = Field(description="account code, e.g. 1122")
    account_name: str = Field(description="the account's name in Chinese, e.g. 应收账款")
    account_name_en: str
    summary: str = Field(description="摘要")
    debit: Money
    credit: Money


class VoucherOut(BaseModel):
    id: int
    number: str = Field(description="凭证字号, e.g. 记-0001 (numbered per site and month)")
    date: dt.date
    document: str
    event: str = Field(description="sale (receivable / revenue / output VAT) or delivery (COGS / inventory)")
    summary: str
    lines: list[VoucherLineOut]
    debit: Money
    credit: Money
