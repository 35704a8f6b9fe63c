"""Transfers: plan, confirm (reserve), start, complete (move), cancel (release)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from assistant.ledger import models
from assistant.ledger.errors import (
    DocumentNotFound,
    InsufficientStock,
    InvalidQuantity,
    InvalidState,
    LocationInOtherSite,
    SameLocation,
    UnknownItem,
    UnknownLocation,
    UnknownSite,
)
from assistant.ledger.service import Ledger
from assistant.ledger.views import Document, PlanLeg, TransferPlan
from tests.ledger.helpers import balances_from_moves, count, d, moves, stock_rows

WHO = {"device": "HMD-01", "worker": "W01"}


def transfer(ledger: Ledger, qty: int, to: str = "LINE-B", source: str | None = None,
             turn_id: str = "t1", item: str = "CS-1001") -> Document:
    plan = ledger.plan_transfer("DG", item, d(qty), to, source=source)
    return ledger.confirm_transfer(plan, turn_id=turn_id, **WHO)


def test_plan_writes_nothing(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    plan = ledger.plan_transfer("DG", "CS-1001", d(5), "LINE-B")
    assert plan.legs == (PlanLeg(location="A-01", qty=d(5)),)
    assert stock_rows(engine) == before
    assert count(engine, models.Document) == 0


def test_confirm_reserves(ledger: Ledger, engine: Engine) -> None:
    doc = transfer(ledger, 5)
    assert (doc.id, doc.type, doc.status, doc.turn_id) == ("TR-000001", "transfer", "confirmed", "t1")
    assert [(x.from_location, x.to_location, x.qty_base) for x in doc.lines] == [("A-01", "LINE-B", d(5))]
    assert stock_rows(engine)["DG", "A-01", "CS-1001"] == (d(40), d(5))
    assert ledger.available_total("DG", "CS-1001") == d(35)
    assert moves(engine, doc.id) == [("reserve", "A-01", None, d(5))]
    assert ledger.document(doc.id).model_dump(exclude={"low_stock"}) == doc.model_dump(exclude={"low_stock"})
    assert transfer(ledger, 1).id == "TR-000002"


def test_complete_moves_stock(ledger: Ledger, engine: Engine) -> None:
    doc = transfer(ledger, 5)
    assert ledger.start_transfer(doc.id, "t2").status == "in_progress"
    done = ledger.complete_transfer(doc.id, "t3")
    assert done.status == "done"
    rows = stock_rows(engine)
    assert rows["DG", "A-01", "CS-1001"] == (d(35), d(0))
    assert rows["DG", "LINE-B", "CS-1001"] == (d(5), d(0))
    assert moves(engine, doc.id) == [("reserve", "A-01", None, d(5)), ("release", "A-01", None, d(5)),
                                     ("transfer", "A-01", "LINE-B", d(5))]
    assert [x.id for x in ledger.documents_for_turn("t3")] == [doc.id]
    assert ledger.documents_for_turn("nope") == []


def test_cancel_releases(ledger: Ledger, engine: Engine) -> None:
    doc = transfer(ledger, 5)
    assert ledger.cancel_document(doc.id, "t2").status == "cancelled"
    assert stock_rows(engine)["DG", "A-01", "CS-1001"] == (d(40), d(0))
    assert moves(engine, doc.id)[-1] == ("release", "A-01", None, d(5))


def test_sources_split_largest_first(ledger: Ledger, engine: Engine) -> None:
    first = transfer(ledger, 15, to="A-02")  # A-01 25, A-02 15
    ledger.start_transfer(first.id)
    ledger.complete_transfer(first.id)
    doc = transfer(ledger, 30)
    assert [(x.from_location, x.qty_base) for x in doc.lines] == [("A-01", d(25)), ("A-02", d(5))]
    rows = stock_rows(engine)
    assert rows["DG", "A-01", "CS-1001"] == (d(25), d(25))
    assert rows["DG", "A-02", "CS-1001"] == (d(15), d(5))


def test_lines_are_not_sources(ledger: Ledger) -> None:
    # LINE-A holds 4 in use; only A-01 (40) counts, and the destination itself never is a source.
    with pytest.raises(InsufficientStock) as err:
        ledger.plan_transfer("DG", "CS-1001", d(41), "LINE-B")
    assert (err.value.item, err.value.requested, err.value.available) == ("CS-1001", d(41), d(40))
    with pytest.raises(InsufficientStock) as err:
        ledger.plan_transfer("DG", "CS-1001", d(1), "A-01")
    assert err.value.available == 0


def test_explicit_source(ledger: Ledger) -> None:
    doc = transfer(ledger, 3, to="QC", source="LINE-A")
    assert [(x.from_location, x.qty_base) for x in doc.lines] == [("LINE-A", d(3))]
    with pytest.raises(InsufficientStock) as err:
        ledger.plan_transfer("DG", "CS-1001", d(2), "QC", source="LINE-A")
    assert err.value.available == d(1)


def test_insufficient_stock_writes_nothing(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    plan = ledger.plan_transfer("DG", "CS-1001", d(30), "LINE-B")
    transfer(ledger, 20)  # someone else got there first
    after_other = stock_rows(engine)
    with pytest.raises(InsufficientStock) as err:
        ledger.confirm_transfer(plan, turn_id="t9", **WHO)
    assert err.value.available == d(20)
    assert stock_rows(engine) == after_other != before
    assert count(engine, models.Document) == 1
    assert ledger.documents_for_turn("t9") == []


def test_stale_plan_is_replanned_under_the_lock(ledger: Ledger) -> None:
    first = transfer(ledger, 15, to="A-02")
    ledger.start_transfer(first.id)
    ledger.complete_transfer(first.id)  # A-01 25, A-02 15
    plan = ledger.plan_transfer("DG", "CS-1001", d(20), "LINE-B")
    assert [leg.location for leg in plan.legs] == ["A-01"]
    transfer(ledger, 10, source="A-01")  # A-01 now has 15 available
    doc = ledger.confirm_transfer(plan, turn_id="t2", **WHO)
    assert [(x.from_location, x.qty_base) for x in doc.lines] == [("A-01", d(15)), ("A-02", d(5))]


def test_tampered_plan_is_not_trusted(ledger: Ledger, engine: Engine) -> None:
    bad = TransferPlan(site="DG", item="CS-1001", qty_base=d(5), destination="LINE-B", source=None,
                       legs=(PlanLeg(location="LINE-A", qty=d(1)),))
    doc = ledger.confirm_transfer(TransferPlan.model_validate_json(bad.model_dump_json()), turn_id="t", **WHO)
    assert [(x.from_location, x.qty_base) for x in doc.lines] == [("A-01", d(5))]


def test_location_errors(ledger: Ledger) -> None:
    with pytest.raises(LocationInOtherSite) as other:
        ledger.plan_transfer("DG", "CS-1001", d(1), "SHOP")
    assert (other.value.location, other.value.site, other.value.code) == ("SHOP", "FZ", "location_in_other_site")
    with pytest.raises(SameLocation):
        ledger.plan_transfer("DG", "CS-1001", d(1), "A-01", source="A-01")
    with pytest.raises(UnknownLocation):
        ledger.plan_transfer("DG", "CS-1001", d(1), "MARS")
    with pytest.raises(UnknownItem):
        ledger.plan_transfer("DG", "AIRPLANE", d(1), "LINE-B")
    with pytest.raises(UnknownSite):
        ledger.plan_transfer("XX", "CS-1001", d(1), "LINE-B")
    for bad in ("0", "-1", "0.0001", "NaN"):
        with pytest.raises(InvalidQuantity):
            ledger.plan_transfer("DG", "CS-1001", Decimal(bad), "LINE-B")


def test_invalid_transitions(ledger: Ledger, engine: Engine) -> None:
    doc = transfer(ledger, 5)
    with pytest.raises(InvalidState) as err:
        ledger.complete_transfer(doc.id)  # must be started first
    assert (err.value.document, err.value.status, err.value.action) == (doc.id, "confirmed", "complete")
    ledger.start_transfer(doc.id)
    with pytest.raises(InvalidState):
        ledger.start_transfer(doc.id)
    with pytest.raises(InvalidState):
        ledger.cancel_document(doc.id)  # in progress: goods are moving
    ledger.complete_transfer(doc.id)
    for action in (ledger.start_transfer, ledger.complete_transfer, ledger.cancel_document):
        with pytest.raises(InvalidState):
            action(doc.id)
    with pytest.raises(InvalidState):
        ledger.complete_sales_order(doc.id)  # wrong document type
    with pytest.raises(DocumentNotFound):
        ledger.start_transfer("TR-999999")
    with pytest.raises(DocumentNotFound):
        ledger.document("TR-999999")
    assert ledger.document(doc.id).status == "done"
    assert stock_rows(engine)["DG", "LINE-B", "CS-1001"] == (d(5), d(0))


def test_low_stock_event(ledger: Ledger) -> None:
    ok = transfer(ledger, 20)  # 40 -> 20: at the minimum, not below
    assert ok.low_stock == [] and ledger.pending_events() == []
    low = transfer(ledger, 1, turn_id="t2")
    assert [(x.item, x.available, x.minimum) for x in low.low_stock] == [("CS-1001", d(19), d(20))]
    events = ledger.pending_events()
    assert [(e.kind, e.payload["item"], e.payload["available"], e.payload["document"]) for e in events] == [
        ("low_stock", "CS-1001", "19.000", low.id)]
    ledger.cancel_document(ok.id)  # back up: no new event
    ledger.start_transfer(low.id)
    ledger.complete_transfer(low.id)  # reserved -> moved: the site total does not change
    assert len(ledger.pending_events()) == 1
    ledger.mark_delivered([e.id for e in events])
    assert ledger.pending_events() == []


def test_moves_explain_balances(ledger: Ledger, engine: Engine) -> None:
    a = transfer(ledger, 15, to="A-02")
    ledger.start_transfer(a.id)
    ledger.complete_transfer(a.id)
    b = transfer(ledger, 30)
    transfer(ledger, 2, to="QC", source="LINE-A")
    ledger.cancel_document(b.id)
    transfer(ledger, 7)
    rows = stock_rows(engine)
    assert balances_from_moves(engine) == rows
    assert all(on_hand >= reserved >= 0 for on_hand, reserved in rows.values())
