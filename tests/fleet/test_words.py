"""The fleet's words: waiting, progress and refusals rendered from codes, in the reader's language."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from assistant.catalogue import CATALOGUE
from assistant.dialogue.agv import refusal_reason, waiting_text, why_waiting
from assistant.dialogue.progress import notice, progress_text
from assistant.fleet import (
    AgvArrived,
    AgvDropped,
    AgvError,
    AgvOrderView,
    AgvPicked,
    LinkStatus,
    NotATransfer,
    TransferWaiting,
    WaitReason,
)
from assistant.routing import UnknownNode
from assistant.world.schema import World
from server.render.documents import agv_order_out

DOC = "TR-000007"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_fleet_and_guidance_entries_have_both_languages_with_the_same_placeholders() -> None:
    entries = {code: entry for code, entry in CATALOGUE.items() if code.startswith(("fleet-", "agv-", "guidance-"))}
    assert {f"fleet-waiting-{reason}" for reason in WaitReason} <= entries.keys()
    for code, (zh, en) in entries.items():
        assert zh and en, code
        assert _fields(zh) == _fields(en), code


@pytest.mark.parametrize(("reason", "serial", "picked", "detail", "zh", "en"), [
    (WaitReason.no_agv, None, False, None,
     f"暂无可用小车，调拨单{DOC}正在排队等待。", f"No AGV is available; transfer {DOC} is waiting for one."),
    (WaitReason.agv_offline, "AGV-01", False, None,
     f"小车AGV-01已离线，调拨单{DOC}改为等待。货物仍在原货位，库存未变动。",
     f"AGV-01 went offline; transfer {DOC} is waiting again. The goods are still at the source; no stock was moved."),
    (WaitReason.agv_error, "AGV-01", True, "action failed",
     f"小车AGV-01报告故障（action failed），调拨单{DOC}改为等待。货物在小车AGV-01上，请主管到场处理。",
     f"AGV-01 reported an error (action failed); transfer {DOC} is waiting again. The goods are on AGV-01; "
     "a supervisor should check."),
    (WaitReason.agv_error, "AGV-02", False, None,
     f"小车AGV-02报告故障，调拨单{DOC}改为等待。货物仍在原货位，库存未变动。",
     f"AGV-02 reported an error; transfer {DOC} is waiting again. The goods are still at the source; no stock was "
     "moved."),
])
def test_waiting_is_said_as_before_in_both_languages(reason: WaitReason, serial: str | None, picked: bool,
                                                     detail: str | None, zh: str, en: str) -> None:
    assert waiting_text(reason, DOC, serial, picked, detail, "zh") == zh
    assert waiting_text(reason, DOC, serial, picked, detail, "en") == en


def _order(**changes: object) -> AgvOrderView:
    base = AgvOrderView(doc_id=DOC, site="DG", status=LinkStatus.waiting, serial="AGV-01", order_id=f"{DOC}-1",
                        order_update_id=0, sources=("A-01",), destination="LINE-B", picked=False, route_m=None,
                        reason=WaitReason.agv_offline, detail=None, updated_at=dt.datetime.now(dt.UTC))
    return base.model_copy(update=changes)


def test_the_order_json_keeps_message_and_message_en_rendered_from_the_reason() -> None:
    shown = agv_order_out(_order()).model_dump(by_alias=True)
    assert "离线" in shown["message"] and "offline" in shown["message_en"] and DOC in shown["message"]
    assert not {"message_zh", "reason", "detail"} & shown.keys()  # the public shape is unchanged
    under_way = agv_order_out(_order(status=LinkStatus.assigned, reason=None))
    assert under_way.message is None and under_way.message_en is None
    assert why_waiting(_order(reason=None), "zh") is None


def test_a_view_and_an_event_carry_codes_not_words() -> None:
    assert not {f for f in AgvOrderView.model_fields if f.startswith("message")}
    assert not {f for f in TransferWaiting.model_fields if f.startswith("message")}
    assert {"reason", "detail", "serial", "picked"} <= set(TransferWaiting.model_fields)


def test_progress_is_said_in_each_language_with_the_place_names(world: World) -> None:
    arrived = AgvArrived(serial="AGV-01", doc_id=DOC, node="A01", location="A-01", purpose="pick")
    assert progress_text(world, arrived, "zh") == "AGV-01 已到达原料仓A区1号货架，正在取货"
    assert progress_text(world, arrived, "en") == "AGV-01 is at A-01, picking up"
    at_drop = arrived.model_copy(update={"location": "LINE-B", "purpose": "drop"})
    assert progress_text(world, at_drop, "en") == "AGV-01 is at assembly line B, dropping off"
    assert progress_text(world, AgvPicked(serial="AGV-01", doc_id=DOC), "zh") == "AGV-01 已取货，正在送往目的地"
    dropped = AgvDropped(serial="AGV-01", doc_id=DOC, destination="LINE-B")
    assert progress_text(world, dropped, "zh") == f"AGV-01 已送达总装线B区，调拨单{DOC}完成"
    assert progress_text(world, dropped, "en") == f"AGV-01 delivered to assembly line B; transfer {DOC} is done"


def test_a_waiting_notice_goes_to_the_requester_and_the_supervisors_in_their_languages(world: World) -> None:
    event = TransferWaiting(serial="AGV-01", doc_id=DOC, reason=WaitReason.agv_error, picked=True,
                            detail="driveError (FATAL): blocked", site="DG", worker="W01", device="HMD-01",
                            supervisors=("W03",))
    said = notice(world, event, "HMD-01", "DG")
    assert said is not None and said.kind == "transfer_waiting" and said.doc_id == DOC
    assert said.devices[0] == "HMD-01" and len(said.devices) > 1
    assert said.text(world, "zh").startswith("小车AGV-01报告故障（driveError (FATAL): blocked）")
    assert said.text(world, "en").startswith("AGV-01 reported an error (driveError (FATAL): blocked)")
    assert notice(world, AgvError(serial="AGV-01", doc_id=DOC, errors=("x",), fatal=True), "HMD-01", "DG") is None


def test_every_refusal_has_words(world: World) -> None:
    assert refusal_reason(world, NotATransfer("SO-000001"), "zh") == "SO-000001不是调拨单"
    assert refusal_reason(world, UnknownNode("DG-MAP", "Z9"), "en") == "node Z9 is not on the map"
