"""Read-back and confirmation actions on saved tracker JSON, against a real SQLite ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.commands import ActionCancel, ActionConfirm, ActionReadBack
from actions.deps import ActionDeps

TRACKERS = Path(__file__).with_name("trackers")


def _tracker(name: str, **slots: Any) -> Tracker:
    state = json.loads((TRACKERS / name).read_text(encoding="utf-8"))
    state["slots"].update(slots)
    return Tracker.from_dict(state)


def _slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_read_back_sets_the_proposal_and_writes_nothing(deps: ActionDeps) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionReadBack(deps).run(dispatcher, _tracker("transfer_form_done.json"), {})
    proposal = _slot_events(events)["proposal"]
    assert proposal["kind"] == "transfer" and proposal["destination"] == "LINE-B"
    assert dispatcher.messages[0]["text"] == "调拨曲轴5件到总装线B区，确认吗?"
    assert deps.ledger.documents_for_turn("t-readback") == []


async def test_confirm_executes_the_proposal_once(deps: ActionDeps) -> None:
    readback = await ActionReadBack(deps).run(CollectingDispatcher(), _tracker("transfer_form_done.json"), {})
    proposal = _slot_events(readback)["proposal"]
    dispatcher = CollectingDispatcher()
    events = await ActionConfirm(deps).run(dispatcher, _tracker("transfer_form_done.json", proposal=proposal), {})
    [document] = deps.ledger.documents_for_turn("t-readback")
    assert document.status == "confirmed" and document.lines[0].qty_base == 5
    assert document.id in dispatcher.messages[0]["text"]
    assert _slot_events(events)["proposal"] is None


async def test_read_back_refuses_more_than_available(deps: ActionDeps) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker("transfer_form_done.json", amount="500件", qty_base=500.0)
    events = await ActionReadBack(deps).run(dispatcher, tracker, {})
    assert "可用库存只有40件" in dispatcher.messages[0]["text"]
    assert _slot_events(events)["proposal"] is None


async def test_english_sale_read_back_with_the_written_date(deps: ActionDeps) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionReadBack(deps).run(dispatcher, _tracker("sale_form_done_en.json"), {})
    proposal = _slot_events(events)["proposal"]
    assert proposal["order_date"] == "2025-01-20" and proposal["customer"] == "C001"
    text = dispatcher.messages[0]["text"]
    assert "336.00" in text and text.endswith("Confirm?")


async def test_cancel_forgets_everything(deps: ActionDeps) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCancel(deps).run(dispatcher, _tracker("transfer_form_done.json",
                                                               proposal={"kind": "transfer"}), {})
    assert all(value is None for value in _slot_events(events).values())
    assert "取消" in dispatcher.messages[0]["text"]
