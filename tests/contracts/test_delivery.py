"""A contract says what the order agreed on delivery: its deadline and place, else its date and the buyer's address."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assistant.contracts.build import build_contract
from assistant.ledger.states import DocStatus, DocType
from assistant.ledger.views import CustomerRef, Document, DocumentLine
from assistant.world.loader import load_world

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)


def _sale(**delivery: object) -> Document:
    line = DocumentLine(item="RB400-16", item_name="螺纹钢HRB400 Φ16", qty_base=Decimal(20000), from_location="FS-YARD",
                        to_location=None, unit_price=Decimal("3860.00"), price_unit="t", line_total=Decimal("77200.00"))
    return Document(id="SO-000001", type=DocType.sales_order, status=DocStatus.confirmed, site="FS",
                    customer=CustomerRef(code="C101", name="宏达建工"), date=dt.date(2026, 11, 18), device="PAD-FS",
                    worker="W21", turn_id=None, lines=[line], total=Decimal("77200.00"), created_at=NOW,
                    updated_at=NOW, **delivery)  # type: ignore[arg-type]


def test_the_orders_delivery_goes_into_the_contract() -> None:
    world = load_world()
    agreed = build_contract(world, _sale(delivery_date=dt.date(2026, 11, 30), delivery_place="三水工地"),
                            dt.date(2026, 11, 18))
    assert (agreed.delivery_date, agreed.delivery_place) == (dt.date(2026, 11, 30), "三水工地")
    assert agreed.seller.name == "佛山市乐从铭钢钢铁贸易有限公司" and agreed.buyer.name == "佛山市宏达建工有限公司"
    unsaid = build_contract(world, _sale(), dt.date(2026, 11, 18))
    assert (unsaid.delivery_date, unsaid.delivery_place) == (dt.date(2026, 11, 18), world.customer("C101").address)
