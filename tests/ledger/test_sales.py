"""Sales orders: pricing, shelf-then-back-room sourcing, deduction, cancellation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from assistant.ledger.errors import InsufficientStock, InvalidState, UnknownCustomer
from assistant.ledger.models import Customer, StockMove
from assistant.ledger.service import Ledger
from assistant.ledger.views import SalesPlan
from assistant.world.schema import World
from tests.ledger.helpers import balances_from_moves, d, moves, stock_rows

DAY = dt.date(2025, 1, 20)
WHO = {"device": "PAD-01", "worker": "W11"}


def test_prices(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-TGY", d(1000)), ("TEA-PE", d(714))])
    assert [(x.unit_price, x.price_unit, x.line_total) for x in plan.lines] == [
        (d("168.00"), "jin", d("336.00")), (d("98.00"), "cake", d("196.00"))]
    assert plan.total == d("532.00")
    half = ledger.plan_sales_order("FZ", "C000", DAY, [("TEA-LJ", d(250))])  # half a jin of Longjing
    assert half.total == d("130.00")
    odd = ledger.plan_sales_order("FZ", "C000", DAY, [("TEA-PE", d(100))])  # 100/357 cake * 98 = 27.450...
    assert odd.total == d("27.45")


def test_shelf_then_back_room(ledger: Ledger, engine: Engine) -> None:
    plan = ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-TGY", d(6000))])
    assert [(leg.location, leg.qty) for leg in plan.lines[0].legs] == [("SHOP", d(5000)), ("BACK", d(1000))]
    assert plan.total == d("2016.00")
    doc = ledger.confirm_sales_order(plan, turn_id="t1", **WHO)
    assert (doc.id, doc.type, doc.status, doc.date) == ("SO-000001", "sales_order", "confirmed", DAY)
    assert doc.customer is not None and (doc.customer.code, doc.customer.name) == ("C001", "张三")
    assert [(x.from_location, x.qty_base, x.line_total) for x in doc.lines] == [
        ("SHOP", d(5000), d("1680.00")), ("BACK", d(1000), d("336.00"))]
    assert doc.total == d("2016.00")
    rows = stock_rows(engine)
    assert rows["FZ", "SHOP", "TEA-TGY"] == (d(0), d(0))
    assert rows["FZ", "BACK", "TEA-TGY"] == (d(19000), d(0))
    assert moves(engine, doc.id) == [("sale", "SHOP", None, d(5000)), ("sale", "BACK", None, d(1000))]
    assert ledger.document(doc.id).total == d("2016.00")
    assert [x.id for x in ledger.recent_documents("FZ")] == [doc.id]
    assert ledger.recent_documents("DG") == []


def test_line_totals_add_up_when_split(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FZ", "C000", DAY, [("TEA-TGY", d(5333))])  # 1791.888 -> 1791.89
    doc = ledger.confirm_sales_order(plan, turn_id="t", **WHO)
    assert len(doc.lines) == 2
    assert sum(x.line_total or 0 for x in doc.lines) == doc.total == plan.total == d("1791.89")


def test_same_item_twice_allocates_cumulatively(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FZ", "C000", DAY, [("TEA-LJ", d(2000)), ("TEA-LJ", d(2000))])
    assert [[(leg.location, leg.qty) for leg in x.legs] for x in plan.lines] == [
        [("SHOP", d(2000))], [("SHOP", d(1000)), ("BACK", d(1000))]]


def test_insufficient_site_total(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    with pytest.raises(InsufficientStock) as err:
        ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-TGY", d(25001))])
    assert (err.value.requested, err.value.available) == (d(25001), d(25000))
    with pytest.raises(UnknownCustomer):
        ledger.plan_sales_order("FZ", "C999", DAY, [("TEA-TGY", d(1))])
    stale = ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-DHP", d(2000))])
    ledger.confirm_sales_order(ledger.plan_sales_order("FZ", "C002", DAY, [("TEA-DHP", d(1000))]),
                               turn_id="t1", **WHO)
    with pytest.raises(InsufficientStock) as err:
        ledger.confirm_sales_order(SalesPlan.model_validate(stale.model_dump(mode="json")), turn_id="t2", **WHO)
    assert err.value.available == d(1500)
    assert stock_rows(engine)["FZ", "SHOP", "TEA-DHP"] == (d(1500), d(0))
    assert before["FZ", "SHOP", "TEA-DHP"] == (d(2500), d(0))


def test_low_stock_on_sale(ledger: Ledger) -> None:
    doc = ledger.confirm_sales_order(ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-TGY", d(22500))]),
                                     turn_id="t1", **WHO)
    assert [(x.item, x.available, x.minimum) for x in doc.low_stock] == [("TEA-TGY", d(2500), d(3000))]
    assert [e.payload["turn_id"] for e in ledger.pending_events()] == ["t1"]


def test_cancel_and_complete(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    plan = ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-TGY", d(6000))])
    doc = ledger.confirm_sales_order(plan, turn_id="t1", **WHO)
    assert ledger.cancel_document(doc.id, "t2").status == "cancelled"
    after = stock_rows(engine)
    assert after["FZ", "SHOP", "TEA-TGY"] == before["FZ", "SHOP", "TEA-TGY"]
    assert after["FZ", "BACK", "TEA-TGY"] == before["FZ", "BACK", "TEA-TGY"]
    assert moves(engine, doc.id)[2:] == [("sale", None, "SHOP", d(5000)), ("sale", None, "BACK", d(1000))]
    with pytest.raises(InvalidState):
        ledger.complete_sales_order(doc.id)
    other = ledger.confirm_sales_order(plan, turn_id="t3", **WHO)
    with pytest.raises(InvalidState):
        ledger.start_transfer(other.id)  # sales orders have no in_progress
    assert ledger.complete_sales_order(other.id, "t4").status == "done"
    with pytest.raises(InvalidState):
        ledger.cancel_document(other.id)
    assert [x.id for x in ledger.documents_for_turn("t2")] == [doc.id]
    assert balances_from_moves(engine) == stock_rows(engine)


def test_a_new_customer_is_registered_with_the_sale(ledger: Ledger, engine: Engine, world: World) -> None:
    plan = ledger.plan_sales_order("FZ", None, DAY, [("TEA-TGY", d(1000))], new_customer=" 孙七 ")
    assert plan.customer is None and plan.new_customer == "孙七" and plan.total == d("336.00")
    doc = ledger.confirm_sales_order(plan, turn_id="t1", **WHO)
    assert doc.customer is not None and (doc.customer.code, doc.customer.name) == ("C011", "孙七")
    assert [(c.code, c.name) for c in ledger.registered_customers()] == [("C011", "孙七")]
    again = ledger.confirm_sales_order(plan, turn_id="t2", **WHO)  # the same name: the same customer
    assert again.customer is not None and again.customer.code == "C011"
    other = Ledger(engine, world)  # another process on the same database knows the customer too
    assert other.document(doc.id).customer == doc.customer
    assert other.plan_sales_order("FZ", "C011", DAY, [("TEA-LJ", d(500))]).customer == "C011"


def test_a_new_customer_needs_a_name_and_a_failed_sale_registers_nobody(ledger: Ledger) -> None:
    with pytest.raises(UnknownCustomer):
        ledger.plan_sales_order("FZ", None, DAY, [("TEA-TGY", d(1000))], new_customer="  ")
    plan = ledger.plan_sales_order("FZ", None, DAY, [("TEA-TGY", d(1000))], new_customer="孙七")
    too_much = plan.model_copy(update={"lines": tuple(
        line.model_copy(update={"qty_base": d(10**7)}) for line in plan.lines)})
    with pytest.raises(InsufficientStock):
        ledger.confirm_sales_order(too_much, turn_id="t1", **WHO)
    assert ledger.registered_customers() == []


def test_a_scanned_lot_is_recorded_on_the_sale(ledger: Ledger, engine: Engine) -> None:
    plan = ledger.plan_sales_order("FZ", "C001", DAY, [("TEA-TGY", d(6000))])
    doc = ledger.confirm_sales_order(plan, turn_id="t1", lots={"TEA-TGY": ("L2501", dt.date(2026, 6, 30))},
                                     **WHO)
    assert {(x.lot, x.expiry) for x in doc.lines} == {("L2501", dt.date(2026, 6, 30))}
    with Session(engine) as session:
        lots = session.execute(select(StockMove.lot, StockMove.expiry).where(StockMove.document_id == doc.id)).all()
    assert set(lots) == {("L2501", dt.date(2026, 6, 30))}


def test_a_customer_code_taken_meanwhile_by_another_process_is_not_an_error(
    ledger: Ledger, engine: Engine, world: World, db_url: str
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: two registrations cannot interleave")

    class Racing(Ledger):
        """Registers like the ledger, but another process commits C011 between choosing the code and inserting it."""

        raced = False

        def _register_customer(self, session: Session, name: str) -> str:
            if self.raced:
                return super()._register_customer(session, name)
            self.raced = True
            with engine.begin() as other:
                other.execute(insert(Customer).values(code="C011", name="周八", aliases=[]))
            session.add(Customer(code="C011", name=name, phone=None, aliases=[]))
            session.flush()
            return "C011"

    racing = Racing(engine, world)
    plan = racing.plan_sales_order("FZ", None, DAY, [("TEA-TGY", d(1000))], new_customer="孙七")
    doc = racing.confirm_sales_order(plan, turn_id="t1", **WHO)
    assert doc.customer is not None and (doc.customer.code, doc.customer.name) == ("C012", "孙七")
    assert [(c.code, c.name) for c in racing.registered_customers()] == [("C011", "周八"), ("C012", "孙七")]
    assert len(racing.documents_for_turn("t1")) == 1
