"""Transfers over the requester's limit: read back with a warning, stored waiting on "确认", decided by a
supervisor's "批准TR-…" / "驳回TR-…", against a real SQLite ledger (saved tracker JSON)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.approvals import ActionApproveTransfer, ActionRejectTransfer
from actions.commands import ActionConfirm, ActionReadBack
from actions.deps import ActionDeps
from assistant.dialogue.approvals import ApprovalNotice
from assistant.ledger.states import DocStatus

TRACKERS = Path(__file__).with_name("trackers")
BOLTS = {"item": "BT-M8", "amount": "200个", "qty_base": 200.0, "destination": "LINE-A"}


def _tracker(name: str, *, metadata: dict[str, Any] | None = None, entities: list[dict[str, Any]] | None = None,
             **slots: Any) -> Tracker:
    state = json.loads((TRACKERS / name).read_text(encoding="utf-8"))
    state["slots"].update(slots)
    if metadata:
        state["latest_message"]["metadata"].update(metadata)
    if entities is not None:
        state["latest_message"]["entities"] = entities
    return Tracker.from_dict(state)


def _proposal(events: list[dict[str, Any]]) -> Any:
    return [e["value"] for e in events if e.get("event") == "slot" and e["name"] == "proposal"][-1]


class _Told:
    def __init__(self) -> None:
        self.notices: list[ApprovalNotice] = []

    async def __call__(self, notice: ApprovalNotice) -> None:
        self.notices.append(notice)


async def _request(deps: ActionDeps) -> str:
    """An operator's 200 bolts (limit 100): read back with the warning, confirmed, stored waiting."""
    read = CollectingDispatcher()
    events = await ActionReadBack(deps).run(read, _tracker("transfer_form_done.json", **BOLTS), {})
    assert "审批限额" in read.messages[0]["text"] and read.messages[1]["text"].endswith("确认吗?")
    done = CollectingDispatcher()
    await ActionConfirm(deps).run(done, _tracker("transfer_form_done.json", proposal=_proposal(events)), {})
    [document] = deps.ledger.documents_for_turn("t-readback")
    assert document.status is DocStatus.awaiting_approval
    assert document.id in done.messages[0]["text"] and "尚未预留" in done.messages[0]["text"]
    return document.id


def _decision(doc_id: str, device: str, worker: str, turn: str) -> Tracker:
    return _tracker("transfer_form_done.json", metadata={"device": device, "worker": worker, "turn_id": turn},
                    entities=[{"entity": "document", "value": doc_id, "start": 2, "end": 11}])


async def test_over_the_limit_waits_and_the_supervisors_are_told(deps: ActionDeps) -> None:
    told = _Told()
    deps = replace(deps, notify=told)
    doc_id = await _request(deps)
    [notice] = told.notices
    assert notice.kind == "approval-requested" and notice.devices == ("PAD-DG",)
    assert f"批准{doc_id}" in notice.text(deps.world, "zh") and "王师傅" in notice.text(deps.world, "zh")
    stock = {r.location: r for r in deps.ledger.stock("DG", "BT-M8")}
    assert all(r.reserved == 0 for r in stock.values())


async def test_a_supervisor_approves_by_number_and_the_requester_is_told(deps: ActionDeps) -> None:
    told = _Told()
    deps = replace(deps, notify=told)
    doc_id = await _request(deps)
    said = CollectingDispatcher()
    await ActionApproveTransfer(deps).run(said, _decision(doc_id, "PAD-DG", "W03", "t-approve"), {})
    assert said.messages[0]["text"].startswith(f"已批准调拨单{doc_id}")
    document = deps.ledger.document(doc_id)
    assert document.status is DocStatus.confirmed and document.decided_by == "W03"
    assert sum(r.reserved for r in deps.ledger.stock("DG", "BT-M8")) == Decimal(200)
    assert told.notices[-1].kind == "approval-approved" and told.notices[-1].devices == ("HMD-01",)
    assert "赵主管" in told.notices[-1].text(deps.world, "zh")


async def test_rejected_moves_nothing(deps: ActionDeps) -> None:
    doc_id = await _request(deps)
    said = CollectingDispatcher()
    await ActionRejectTransfer(deps).run(said, _decision(doc_id, "PAD-DG", "W03", "t-reject"), {})
    assert said.messages[0]["text"] == f"已驳回调拨单{doc_id}，没有预留任何库存。"
    assert deps.ledger.document(doc_id).status is DocStatus.rejected
    assert sum(r.reserved for r in deps.ledger.stock("DG", "BT-M8")) == 0
    again = CollectingDispatcher()
    await ActionApproveTransfer(deps).run(again, _decision(doc_id, "PAD-DG", "W03", "t-again"), {})
    assert again.messages[0]["text"] == f"调拨单{doc_id}不在等待审批。"


async def test_an_operator_may_not_approve(deps: ActionDeps) -> None:
    doc_id = await _request(deps)
    said = CollectingDispatcher()
    await ActionApproveTransfer(deps).run(said, _decision(doc_id, "HMD-02", "W02", "t-self"), {})
    assert "操作员不能审批调拨单" in said.messages[0]["text"]
    assert deps.ledger.document(doc_id).status is DocStatus.awaiting_approval


async def test_another_sites_manager_does_not_see_it(deps: ActionDeps) -> None:
    doc_id = await _request(deps)
    said = CollectingDispatcher()
    await ActionApproveTransfer(deps).run(said, _decision(doc_id, "PAD-01", "W11", "t-fz"), {})
    assert said.messages[0]["text"] == f"没有单据{doc_id}。"
    assert deps.ledger.document(doc_id).status is DocStatus.awaiting_approval


async def test_which_transfer_is_asked_never_guessed(deps: ActionDeps) -> None:
    await _request(deps)
    said = CollectingDispatcher()
    await ActionApproveTransfer(deps).run(said, _tracker("transfer_form_done.json", entities=[],
                                                         metadata={"device": "PAD-DG", "worker": "W03"}), {})
    assert said.messages[0]["text"].startswith("哪张调拨单")


async def test_within_the_limit_is_confirmed_at_once(deps: ActionDeps) -> None:
    read = CollectingDispatcher()
    events = await ActionReadBack(deps).run(read, _tracker("transfer_form_done.json", **{**BOLTS, "qty_base": 100.0,
                                                                                          "amount": "100个"}), {})
    assert len(read.messages) == 1
    await ActionConfirm(deps).run(CollectingDispatcher(),
                                  _tracker("transfer_form_done.json", proposal=_proposal(events)), {})
    [document] = deps.ledger.documents_for_turn("t-readback")
    assert document.status is DocStatus.confirmed


async def test_a_supervisor_over_the_limit_needs_nobody(deps: ActionDeps) -> None:
    read = CollectingDispatcher()
    events = await ActionReadBack(deps).run(
        read, _tracker("transfer_form_done.json", metadata={"device": "PAD-DG", "worker": "W03"}, **BOLTS), {})
    assert len(read.messages) == 1
    await ActionConfirm(deps).run(CollectingDispatcher(), _tracker(
        "transfer_form_done.json", metadata={"device": "PAD-DG", "worker": "W03"}, proposal=_proposal(events)), {})
    [document] = deps.ledger.documents_for_turn("t-readback")
    assert document.status is DocStatus.confirmed
