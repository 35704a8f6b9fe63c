"""A transfer over its requester's limit: created waiting for approval with nothing reserved; approved, it is
planned again and reserved under the stock locks; rejected, nothing ever moved. SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from assistant.ledger.errors import InsufficientStock, InvalidState
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocStatus
from tests.ledger.helpers import balances_from_moves, d, moves, stock_rows

WHO = {"device": "HMD-01", "worker": "W01"}


def _request(ledger: Ledger, qty: int = 200) -> str:
    plan = ledger.plan_transfer("DG", "BT-M8", d(qty), "QC")
    return ledger.request_transfer(plan, turn_id="t-ask", **WHO).id


def test_a_waiting_transfer_reserves_nothing(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    doc_id = _request(ledger)
    document = ledger.document(doc_id)
    assert document.status is DocStatus.awaiting_approval and document.lines[0].qty_base == d(200)
    assert stock_rows(engine) == before and moves(engine, doc_id) == []
    assert ledger.available_total("DG", "BT-M8") == Decimal(2000)


def test_approval_reserves_and_records_who(ledger: Ledger, engine: Engine) -> None:
    doc_id = _request(ledger)
    approved = ledger.approve_transfer(doc_id, by="W03", turn_id="t-ok")
    assert approved.status is DocStatus.confirmed and approved.decided_by == "W03"
    assert stock_rows(engine)["DG", "B-04", "BT-M8"] == (d(2000), d(200))
    assert moves(engine, doc_id) == [("reserve", "B-04", None, d(200))]
    assert balances_from_moves(engine) == stock_rows(engine)
    with pytest.raises(InvalidState):
        ledger.approve_transfer(doc_id, by="W03")  # approving twice reserves nothing twice
    assert stock_rows(engine)["DG", "B-04", "BT-M8"] == (d(2000), d(200))


def test_rejection_moves_nothing(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    doc_id = _request(ledger)
    rejected = ledger.reject_transfer(doc_id, by="W03", turn_id="t-no")
    assert rejected.status is DocStatus.rejected and rejected.decided_by == "W03"
    assert stock_rows(engine) == before
    with pytest.raises(InvalidState):
        ledger.approve_transfer(doc_id, by="W03")


def test_approval_checks_todays_stock(ledger: Ledger, engine: Engine) -> None:
    doc_id = _request(ledger, 1900)
    # Meanwhile another transfer takes most of the bolts.
    ledger.confirm_transfer(ledger.plan_transfer("DG", "BT-M8", d(500), "QC"), turn_id="t-other", **WHO)
    with pytest.raises(InsufficientStock):
        ledger.approve_transfer(doc_id, by="W03")
    assert ledger.document(doc_id).status is DocStatus.awaiting_approval  # still waiting, nothing reserved
    assert stock_rows(engine)["DG", "B-04", "BT-M8"] == (d(2000), d(500))


def test_a_waiting_transfer_may_be_cancelled(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    doc_id = _request(ledger)
    assert ledger.cancel_document(doc_id, "t-cancel").status is DocStatus.cancelled
    assert stock_rows(engine) == before
