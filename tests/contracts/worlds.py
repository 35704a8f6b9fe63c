"""A small steel trader's world for the contract tests (the demo's own steel site is not assumed): one site with its
company, a customer with a registered company, an address and a contact, rebar priced per tonne with VAT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from assistant.ledger.states import DocStatus, DocType
from assistant.ledger.views import CustomerRef, Document, DocumentLine
from assistant.world.schema import World

COMPANY = "佛山市测试钢铁贸易有限公司"
BUYER = "佛山市宏达建工有限公司"


def steel_world() -> World:
    return World.model_validate(RAW)


def write_world(folder: Path) -> Path:
    """The world as a world file (stock rows in the file's compact form), for the app."""
    raw = {**RAW, "stock": [[r["site"], r["location"], r["item"], r["quantity"], r["unit_cost"]]
                            for r in RAW["stock"]]}
    path = folder / "steel-world.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


RAW: dict[str, Any] = {
    "units": [{"code": "kg", "names": ["公斤", "千克", "kg"]},
              {"code": "t", "names": ["吨", "t"], "base": "kg", "factor": 1000}],
    "sites": [{"code": "TS", "name": "测试钢贸", "name_en": "Test Steel",
               "locations": [{"code": "TS-Y1", "name": "一号货场", "kind": "store"}]},
              {"code": "TX", "name": "另一场地", "name_en": "Other site",
               "locations": [{"code": "TX-Y1", "name": "货场", "kind": "store"}]}],
    "items": [{"code": "RB12", "gtin": "6900000000012", "name": "螺纹钢 HRB400E Φ12", "name_en": "rebar 12",
               "unit": "kg", "price_per": "t", "price": "3850.00", "tax": "VAT13"},
              {"code": "RB16", "gtin": "6900000000016", "name": "螺纹钢 HRB400E Φ16", "name_en": "rebar 16",
               "unit": "kg", "price_per": "t", "price": "3820.00"}],
    "stock": [{"site": "TS", "location": "TS-Y1", "item": "RB12", "quantity": "100000", "unit_cost": "3.2"},
              {"site": "TS", "location": "TS-Y1", "item": "RB16", "quantity": "100000", "unit_cost": "3.2"},
              {"site": "TX", "location": "TX-Y1", "item": "RB12", "quantity": "100000", "unit_cost": "3.2"}],
    "customers": [{"code": "C101", "name": "宏达建工", "site": "TS", "company": BUYER,
                   "tax_id": "91440600MA4TEST01X", "address": "佛山市禅城区季华路1号工地",
                   "credit_limit": "500000",
                   "contacts": [{"name": "周经理", "phone": "13900000101", "wecom_user": "zhou"}]},
                  {"code": "C201", "name": "散户", "site": "TX"}],
    "workers": [{"code": "W21", "name": "王文员", "role": "clerk", "site": "TS", "devices": ["PAD-TS"]},
                {"code": "W22", "name": "李仓管", "role": "operator", "site": "TS", "devices": ["PAD-TS2"]},
                {"code": "W31", "name": "张经理", "role": "manager", "site": "TX", "devices": ["PAD-TX"]}],
    "devices": [{"code": "PAD-TS", "kind": "tablet"}, {"code": "PAD-TS2", "kind": "tablet"},
                {"code": "PAD-TX", "kind": "tablet"}],
    "books": {"accounts": [
        {"code": "1122", "name": "应收账款", "name_en": "receivable", "type": "asset"},
        {"code": "1405", "name": "库存商品", "name_en": "inventory", "type": "asset"},
        {"code": "22210102", "name": "应交税费—应交增值税(销项税额)", "name_en": "output VAT", "type": "liability"},
        {"code": "6001", "name": "主营业务收入", "name_en": "revenue", "type": "revenue"},
        {"code": "6401", "name": "主营业务成本", "name_en": "cost of sales", "type": "expense"}],
        "tax_rates": [{"code": "VAT13", "rate": "0.13"}], "default_tax": "VAT13"},
    "companies": [{"site": "TS", "name": COMPANY, "name_en": "Foshan Test Steel Trading Co., Ltd.",
                   "tax_id": "91440604MA4TEST00Y", "address": "广东省佛山市顺德区乐从镇钢铁世界1号",
                   "phone": "0757-28880000", "legal_representative": "陈大文",
                   "bank": "中国工商银行佛山乐从支行", "account": "2013 0000 0000 0000 123"}],
}


def sale(document_id: str = "SO-000001", site: str = "TS") -> Document:
    """A confirmed sale of 20 t of Φ12 (taken from two places) and 5.5 t of Φ16, as the ledger shows it."""
    now = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)

    def line(item: str, qty: str, price: str, total: str) -> DocumentLine:
        return DocumentLine(item=item, item_name=item, qty_base=Decimal(qty), from_location=f"{site}-Y1",
                            to_location=None, unit_price=Decimal(price), price_unit="t", line_total=Decimal(total))

    return Document(id=document_id, type=DocType.sales_order, status=DocStatus.confirmed, site=site,
                    customer=CustomerRef(code="C101", name="宏达建工"), date=dt.date(2026, 12, 31), device="PAD-TS",
                    worker="W21", turn_id=None,
                    lines=[line("RB12", "12000", "3850.00", "46200.00"), line("RB12", "8000", "3850.00", "30800.00"),
                           line("RB16", "5500", "3820.00", "21010.00")],
                    total=Decimal("98010.00"), created_at=now, updated_at=now)
