"""One read-back, one document: a second yes to the same read-back (its first answer lost with an app that died)
finds the document written for it; a repeated command is a new read-back and writes again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from assistant.dialogue.proposal import SaleProposal, TransferProposal, execute, keyed, request
from assistant.ledger.service import Ledger
from tests.ledger.helpers import d

WHO = {"device": "HMD-01", "worker": "W01"}


def _on_hand(ledger: Ledger, site: str, item: str) -> float:
    return float(sum(row.on_hand for row in ledger.stock(site, item)))


def test_a_read_back_confirmed_twice_is_written_once(ledger: Ledger) -> None:
    transfer = keyed(TransferProposal(site="DG", item="CS-1001", qty_base=d(5), destination="LINE-B"))
    first = execute(ledger, transfer, turn_id="t1", **WHO)
    again = execute(ledger, transfer, turn_id="t2", **WHO)
    assert again.id == first.id and again.status == first.status
    assert ledger.document_confirming(transfer.key or "") == again
    sale = keyed(SaleProposal(site="FZ", item="TEA-TGY", qty_base=d(1000), customer="C001",
                              order_date=dt.date(2026, 11, 30)))
    before = _on_hand(ledger, "FZ", "TEA-TGY")
    sold = execute(ledger, sale, device="PAD-02", worker="W12", turn_id="t3")
    assert execute(ledger, sale, device="PAD-02", worker="W12", turn_id="t4").id == sold.id
    assert _on_hand(ledger, "FZ", "TEA-TGY") == before - 1000  # deducted once


def test_the_same_command_read_back_again_is_a_new_document(ledger: Ledger) -> None:
    command = TransferProposal(site="DG", item="CS-1001", qty_base=d(2), destination="LINE-B")
    first = execute(ledger, keyed(command), turn_id="t1", **WHO)
    second = execute(ledger, keyed(command), turn_id="t2", **WHO)
    assert first.id != second.id


def test_a_request_over_the_limit_is_stored_once_too(ledger: Ledger) -> None:
    big = keyed(TransferProposal(site="DG", item="BT-M8", qty_base=d(200), destination="LINE-A"))
    assert request(ledger, big, turn_id="t1", **WHO).id == request(ledger, big, turn_id="t2", **WHO).id


def test_the_database_refuses_a_second_document_for_one_read_back(ledger: Ledger) -> None:
    """Two processes racing past the look-up: the unique key keeps the second write out."""
    plan = ledger.plan_transfer("DG", "CS-1001", d(1), "LINE-B")
    ledger.confirm_transfer(plan, turn_id="t1", confirms="read-back-1", **WHO)
    with pytest.raises(IntegrityError):
        ledger.confirm_transfer(plan, turn_id="t2", confirms="read-back-1", **WHO)
