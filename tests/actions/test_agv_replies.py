"""What the worker hears after "确认" on a plant with AGVs: why the transfer waits, or why no AGV can take it —
in words of the turn's language, never an exception's class name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.commands import ActionConfirm, ActionReadBack
from actions.deps import ActionDeps
from assistant.fleet import AgvOrderView, FleetError, LinkStatus, NotDispatchable, WaitReason
from assistant.routing import LocationNotOnMap, NoSiteMap, RoutingError, Unreachable

TRACKER = Path(__file__).with_name("trackers") / "transfer_form_done.json"


class StubFleet:
    """Answers dispatch_transfer with a fixed outcome: a view, or a refusal."""

    def __init__(self, outcome: AgvOrderView | FleetError | RoutingError) -> None:
        self.outcome = outcome

    def order(self, doc_id: str) -> AgvOrderView | None:
        return None

    async def dispatch_transfer(self, doc_id: str, turn_id: str | None = None) -> AgvOrderView:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome.model_copy(update={"doc_id": doc_id})


def _tracker(lang: str, **slots: Any) -> Tracker:
    state = json.loads(TRACKER.read_text(encoding="utf-8"))
    state["slots"].update(slots)
    state["latest_message"]["metadata"]["lang"] = lang
    return Tracker.from_dict(state)


async def _confirm(deps: ActionDeps, outcome: AgvOrderView | FleetError | RoutingError, lang: str) -> list[str]:
    with_fleet = dataclasses.replace(deps, fleet=StubFleet(outcome))  # type: ignore[arg-type]
    readback = await ActionReadBack(with_fleet).run(CollectingDispatcher(), _tracker(lang), {})
    proposal = [e["value"] for e in readback if e.get("name") == "proposal"][-1]
    said = CollectingDispatcher()
    await ActionConfirm(with_fleet).run(said, _tracker(lang, proposal=proposal), {})
    return [m["text"] for m in said.messages]


@pytest.mark.parametrize(("error", "zh", "en"), [
    (Unreachable("DG-MAP", "A01", "LB"), "地图上没有通往目的地的路线", "no path to the destination on the map"),
    (LocationNotOnMap("LINE-B"), "总装线B区不在地图上", "assembly line B is not on the map"),
    (NoSiteMap("DG"), "本场地没有地图", "this site has no map"),
    (NotDispatchable("TR-000001", "cancelled"), "调拨单状态不允许派车", "the transfer's status does not allow it"),
])
async def test_an_agv_refusal_is_said_in_words(deps: ActionDeps, error: Exception, zh: str, en: str) -> None:
    said_zh = await _confirm(deps, error, "zh")  # type: ignore[arg-type]
    assert said_zh[1] == f"小车无法执行这次调拨({zh})，调拨单已确认，请人工搬运。"
    said_en = await _confirm(deps, error, "en")  # type: ignore[arg-type]
    assert said_en[1] == f"No AGV can do this transfer ({en}); it is confirmed, please move it by hand."
    assert type(error).__name__ not in " ".join(said_zh + said_en)


async def test_a_waiting_transfer_is_said_in_the_turns_language(deps: ActionDeps) -> None:
    waiting = AgvOrderView(doc_id="?", site="DG", status=LinkStatus.waiting, serial=None, order_id=None,
                           order_update_id=0, sources=("A-01",), destination="LINE-B", picked=False, route_m=None,
                           reason=WaitReason.no_agv, detail=None, updated_at=dt.datetime.now(dt.UTC))
    [confirmed, zh] = await _confirm(deps, waiting, "zh")
    doc_id = confirmed.split("调拨单")[1].split("：")[0]
    assert zh == f"暂无可用小车，调拨单{doc_id}正在排队等待。"
    [_, en] = await _confirm(deps, waiting, "en")
    assert en.startswith("No AGV is available; transfer TR-") and en.endswith(" is waiting for one.")
