"""A trader's customers: sold to from their own site, within their credit; the delivery goes on the order."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.ledger.errors import CustomerOfOtherSite, OverCreditLimit
from assistant.ledger.service import Ledger
from tests.ledger.helpers import d

DAY = dt.date(2026, 11, 18)
WHO = {"device": "PAD-FS", "worker": "W21"}
SITE = "佛山市南海区桂城街道海八路88号宏达项目部工地"


def test_delivery_date_and_place_go_on_the_order(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FS", "C101", DAY, [("RB400-16", d(20000))], delivery_date=dt.date(2026, 11, 30),
                                   delivery_place=SITE)
    assert plan.total == d("77200.00")
    doc = ledger.confirm_sales_order(plan, turn_id="t1", **WHO)
    assert (doc.delivery_date, doc.delivery_place) == (dt.date(2026, 11, 30), SITE)
    again = ledger.document(doc.id)
    assert (again.delivery_date, again.delivery_place) == (doc.delivery_date, doc.delivery_place)
    assert [line.from_location for line in again.lines] == ["FS-YARD"]


def test_credit_is_the_limit_less_open_receivables(ledger: Ledger) -> None:
    assert ledger.available_credit("C101") == d("200000.00")
    first = ledger.confirm_sales_order(ledger.plan_sales_order("FS", "C101", DAY, [("RB400-16", d(50000))]),
                                       turn_id="t1", **WHO)  # 193,000
    assert ledger.available_credit("C101") == d("7000.00")
    with pytest.raises(OverCreditLimit) as over:
        ledger.plan_sales_order("FS", "C101", DAY, [("RB400-16", d(5000))])  # 19,300
    assert (over.value.total, over.value.available, over.value.limit) == (d("19300.00"), d("7000.00"),
                                                                         d("200000.00"))
    ledger.complete_sales_order(first.id, "t2")  # paid: its amount no longer owed
    assert ledger.available_credit("C101") == d("200000.00")
    assert ledger.available_credit("C001") is None  # a shop's customer has no limit


def test_credit_is_checked_again_at_confirmation(ledger: Ledger) -> None:
    """Two orders read back side by side: the second to be confirmed finds the credit spent and writes nothing."""
    one = ledger.plan_sales_order("FS", "C103", DAY, [("WR-HPB300", d(5000))])  # 18,800 of 30,000
    two = ledger.plan_sales_order("FS", "C103", DAY, [("WR-HPB300", d(4000))])  # 15,040
    ledger.confirm_sales_order(one, turn_id="t1", **WHO)
    with pytest.raises(OverCreditLimit):
        ledger.confirm_sales_order(two, turn_id="t2", **WHO)
    assert ledger.documents_for_turn("t2") == []
    assert ledger.available_total("FS", "WR-HPB300") == d(85000)


def test_a_traders_customer_buys_from_that_trader_only(ledger: Ledger) -> None:
    with pytest.raises(CustomerOfOtherSite) as refused:
        ledger.plan_sales_order("FZ", "C101", DAY, [("TEA-TGY", d(500))])
    assert refused.value.site == "FS"
    assert ledger.plan_sales_order("FS", "C000", DAY, [("HRC-Q235", d(1000))]).total == d("4150.00")


def test_new_customers_are_numbered_after_the_shops(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FZ", None, DAY, [("TEA-TGY", d(500))], new_customer="孙七")
    doc = ledger.confirm_sales_order(plan, turn_id="t1", device="PAD-01", worker="W11")
    assert doc.customer is not None and doc.customer.code == "C011"


def test_a_sale_over_the_credit_waits_for_a_manager_and_is_deducted_when_approved(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FS", "C103", DAY, [("RB400-20", d(10000))], check_credit=False,
                                   delivery_date=dt.date(2026, 11, 30), delivery_place="利民工业园")  # 38,200
    waiting = ledger.request_sales_order(plan, turn_id="t1", **WHO)
    assert (waiting.status, waiting.total, waiting.delivery_place) == ("awaiting_approval", d("38200.00"), "利民工业园")
    assert ledger.available_total("FS", "RB400-20") == d(150000)  # nothing deducted while it waits
    assert ledger.available_credit("C103") == d("30000.00")  # nor owed
    approved = ledger.approve_sales_order(waiting.id, by="W22", turn_id="t2")
    assert (approved.status, approved.decided_by, approved.total) == ("confirmed", "W22", d("38200.00"))
    assert approved.delivery_date == dt.date(2026, 11, 30)
    assert ledger.available_total("FS", "RB400-20") == d(140000)
    assert ledger.available_credit("C103") == d("-8200.00")


def test_a_rejected_sale_moves_nothing(ledger: Ledger) -> None:
    plan = ledger.plan_sales_order("FS", "C103", DAY, [("HRC-Q235", d(10000))], check_credit=False)
    waiting = ledger.request_sales_order(plan, turn_id="t1", **WHO)
    rejected = ledger.reject_sales_order(waiting.id, by="W22", turn_id="t2")
    assert (rejected.status, rejected.decided_by) == ("rejected", "W22")
    assert ledger.available_total("FS", "HRC-Q235") == d(120000)
