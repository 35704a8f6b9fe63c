"""What an alert says: consumption over the window, the reorder suggestion, and its words (Mandarin first)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from assistant.alerts import AlertConsumer, AlertRules, AlertStore, suggest
from assistant.ledger import models
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.ledger.types import utcnow
from assistant.world.schema import SafetyStock, World
from tests.alerts.conftest import ROUTES
from tests.alerts.helpers import d, sell, transfer


def test_the_formula() -> None:
    # 70 used in 7 days = 10 a day; 3 days of lead time = 30; back to 20 from 15 = 5 more; 35 -> 2 boxes of 20.
    assert suggest(available=d(15), minimum=d(20), consumed=d(70), window_days=7, lead_time_days=Decimal(3),
                   multiple=20) == d(40)
    # Exact figures stay exact: 10 in 7 days over 7 days of lead time is 10, not 10.0000001 (rounded up to 11).
    assert suggest(available=d(15), minimum=d(20), consumed=d(10), window_days=7, lead_time_days=Decimal(7),
                   multiple=1) == d(15)
    # Nothing used lately: only back to the minimum.
    assert suggest(available=d(2500), minimum=d(3000), consumed=d(0), window_days=7, lead_time_days=Decimal(7),
                   multiple=500) == d(500)
    assert suggest(available=d(30), minimum=d(20), consumed=d(0), window_days=7, lead_time_days=Decimal(7),
                   multiple=1) == d(0)
    with pytest.raises(ValueError):
        suggest(available=d(1), minimum=d(2), consumed=d(0), window_days=0, lead_time_days=Decimal(1), multiple=1)


@pytest.fixture
def pistons(engine: Engine, world: World, ledger: Ledger) -> tuple[Ledger, World]:
    """The demo world with a safety stock of 150 pistons (200 on rack B-01; they come in boxes of 20)."""
    extra = SafetyStock(site="DG", item="PS-2001", minimum=Decimal(150))
    custom = world.model_copy(update={"safety_stock": (*world.safety_stock, extra)})
    load_world_into(engine, custom)
    return Ledger(engine, custom), custom


def test_the_suggestion_on_a_known_history(pistons: tuple[Ledger, World], engine: Engine) -> None:
    ledger, world = pistons
    transfer(ledger, "DG", "PS-2001", 30, "LINE-A", complete=True)  # to the line, done: counts (30)
    transfer(ledger, "DG", "PS-2001", 10, "A-01", complete=True)  # rack to rack: not consumption
    transfer(ledger, "DG", "PS-2001", 5, "QC")  # confirmed, not moved yet: the line asked for it (5)
    ledger.cancel_document(transfer(ledger, "DG", "PS-2001", 8, "LINE-B").id)  # cancelled: not consumption
    old = transfer(ledger, "DG", "PS-2001", 12, "LINE-A", complete=True)  # ten days ago: outside the window
    with Session(engine) as session, session.begin():
        session.execute(update(models.Document).where(models.Document.id == old.id)
                        .values(created_at=utcnow() - dt.timedelta(days=10)))
    assert ledger.available_total("DG", "PS-2001") == d(153)
    breach = transfer(ledger, "DG", "PS-2001", 20, "LINE-B")  # 133 < 150: counts (20)

    consumer = AlertConsumer(engine, world, ROUTES, AlertRules(window_days=7, lead_time_days=Decimal(7)))
    [alert_id] = consumer.consume().opened
    alert = AlertStore(engine, world).alert(alert_id)
    assert alert is not None
    assert (alert.available, alert.minimum, alert.consumption, alert.document) == (d(133), d(150), d(55), breach.id)
    # 55 in 7 days over a 7-day lead time: 55; 150 + 55 - 133 = 72, in boxes of 20: 4 boxes = 80.
    assert (alert.order_multiple, alert.suggested) == (20, d(80))
    assert alert.daily_usage == d("7.857")
    assert "建议补货：**80件**，共4箱" in alert.text_zh
    assert "Suggested reorder: **80 pcs**, 4 boxes" in alert.text_en


def test_lead_times_and_order_multiples_by_item(ledger: Ledger, engine: Engine, world: World) -> None:
    sell(ledger, "TEA-TGY", 22500)  # 2500 left of a 3000 g minimum, 22 500 g sold this week
    rules = AlertRules(lead_time_by_item={"TEA-TGY": Decimal(2)}, order_multiple_by_item={"TEA-TGY": 500})
    [alert_id] = AlertConsumer(engine, world, ROUTES, rules).consume().opened
    alert = AlertStore(engine, world).alert(alert_id)
    assert alert is not None
    # 22 500 / 7 * 2 = 6428.571; 3000 + 6428.571 - 2500 = 6928.571 -> 14 bags of 500 g = 7000 g.
    assert (alert.lead_time_days, alert.order_multiple, alert.suggested) == (Decimal(2), 500, d(7000))
    assert "14斤(7000克)" in alert.text_zh  # tea is counted in jin


def test_the_words_mandarin_first(ledger: Ledger, engine: Engine, world: World) -> None:
    doc = transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    [alert_id] = AlertConsumer(engine, world, ROUTES).consume().opened
    alert = AlertStore(engine, world).alert(alert_id)
    assert alert is not None
    assert alert.title == "库存预警：曲轴 / Low stock: crankshaft"
    assert alert.text_zh.splitlines()[0] == "### 安全库存预警：曲轴（CS-1001）"
    assert "> 场地：东莞汽配厂" in alert.text_zh
    assert "> 可用库存：**15件**，安全库存：20件" in alert.text_zh
    assert "> 近7天消耗：25件（日均3.6件）" in alert.text_zh
    assert f"> 单据：{doc.id}" in alert.text_zh
    assert alert.text_en.splitlines()[0] == "### Below safety stock: crankshaft (CS-1001)"
    assert "> Site: Dongguan auto-parts plant" in alert.text_en
    assert "> Available: **15 pcs**, safety stock: 20 pcs" in alert.text_en
    assert "> Used in the last 7 days: 25 pcs (3.6 pcs a day)" in alert.text_en
    # 25 / 7 * 7 = 25 over the lead time; 20 + 25 - 15 = 30 (crankshafts come one by one)
    assert "> Suggested reorder: **30 pcs** (for a lead time of 7 days)" in alert.text_en
    assert alert.markdown == f"{alert.text_zh}\n\n{alert.text_en}"
    assert alert.markdown.index("安全库存预警") < alert.markdown.index("Below safety stock")
    assert "{" not in alert.markdown
