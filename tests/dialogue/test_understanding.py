"""Understanding through the turn API and the real Rasa server: what is out of scope opens nothing, corrections
the way people say them, confirmations bound to their read-back, and a date that cannot be read is asked for."""

from __future__ import annotations

import pytest

from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize("words", ["帮我订一张去北京的机票", "明天上海下雨吗", "给我放一首歌",
                                   "book me a flight to Beijing"])
def test_out_of_scope_opens_no_form_and_leaves_nothing_pending(fresh: Stack, words: str) -> None:
    reply = fresh.turn("HMD-01", words)
    assert reply["intent"]["name"] in ("out_of_scope", "nlu_fallback"), reply["intent"]
    assert reply["awaiting"] is None and reply["documents"] == [] and reply["draft"] is None
    assert "调拨" in reply["reply"]["text"] or "transfer" in reply["reply"]["text"].lower()  # what it can do
    nothing = fresh.turn("HMD-01", "确认")
    assert nothing["documents"] == [] and "没有需要确认" in nothing["reply"]["text"]


def test_out_of_scope_inside_a_form_is_answered_and_the_form_goes_on(fresh: Stack) -> None:
    assert fresh.turn("HMD-01", "调拨曲轴")["awaiting"] == "quantity"
    aside = fresh.turn("HMD-01", "帮我订一张去北京的机票")
    assert aside["awaiting"] == "quantity" and aside["documents"] == []
    assert fresh.turn("HMD-01", "5件")["awaiting"] == "destination"


def test_a_correction_after_the_read_back_is_read_back_corrected(fresh: Stack) -> None:
    first = fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    assert first["awaiting"] == "confirmation"
    corrected = fresh.turn("HMD-01", "不对，是6件")
    assert corrected["intent"]["name"] == "correct" and corrected["awaiting"] == "confirmation"
    assert "6件" in corrected["reply"]["text"] and corrected["draft"]["lines"][0]["qty_base"] == 6.0
    moved = fresh.turn("HMD-01", "改到总装线A区")
    assert moved["awaiting"] == "confirmation" and moved["draft"]["lines"][0]["to"] == "LINE-A"
    more = fresh.turn("HMD-01", "数量改成8")
    assert more["draft"]["lines"][0]["qty_base"] == 8.0
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert (doc["lines"][0]["qty_base"], doc["lines"][0]["to"]) == (8.0, "LINE-A")


def test_a_correction_that_cannot_be_taken_keeps_the_read_back(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    refused = fresh.turn("HMD-01", "不对，是5000件")  # more than there is
    assert refused["awaiting"] == "confirmation" and refused["documents"] == []
    assert refused["draft"]["lines"][0]["qty_base"] == 5.0
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert doc["lines"][0]["qty_base"] == 5.0


def test_a_sale_corrected_in_one_breath(fresh: Stack) -> None:
    read_back = fresh.turn("PAD-01", "王五买了1斤铁观音，不对，是2斤")
    assert read_back["awaiting"] == "confirmation"
    assert read_back["draft"]["lines"][0]["qty_base"] == 1000.0 and read_back["draft"]["customer"]["code"] == "C003"
    doc = doc_of(fresh.turn("PAD-01", "确认"))
    assert doc["lines"][0]["qty_base"] == 1000.0


def test_a_correction_inside_the_form_changes_the_slot_and_the_form_goes_on(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨曲轴")
    assert fresh.turn("HMD-01", "5件")["awaiting"] == "destination"
    again = fresh.turn("HMD-01", "不对，是6件")
    assert again["awaiting"] == "destination"
    read_back = fresh.turn("HMD-01", "总装线B区")
    assert read_back["draft"]["lines"][0]["qty_base"] == 6.0


def test_a_correction_with_nothing_pending_says_so(fresh: Stack) -> None:
    reply = fresh.turn("HMD-01", "不对，是6件")
    assert reply["documents"] == [] and reply["awaiting"] is None


def test_confirmations_bind_to_their_read_back_and_never_do_a_thing_twice(fresh: Stack) -> None:
    nothing = fresh.turn("HMD-01", "确认")
    assert nothing["documents"] == [] and "没有需要确认" in nothing["reply"]["text"]
    first = fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    old = first["draft"]["id"]
    newer = fresh.turn("HMD-01", "不对，是6件")["draft"]["id"]
    assert newer != old
    stale = fresh.client.post("/api/v1/turns", json={"action": "confirm", "draft": old},
                              headers={"Authorization": f"Bearer {fresh.token('HMD-01')}"}).json()
    assert stale["documents"] == [] and stale["awaiting"] == "confirmation"
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 0
    done = fresh.client.post("/api/v1/turns", json={"action": "confirm", "draft": newer},
                             headers={"Authorization": f"Bearer {fresh.token('HMD-01')}"}).json()
    assert doc_of(done)["lines"][0]["qty_base"] == 6.0
    twice = fresh.client.post("/api/v1/turns", json={"action": "confirm", "draft": newer},
                              headers={"Authorization": f"Bearer {fresh.token('HMD-01')}"}).json()
    assert twice["documents"] == []
    again = fresh.turn("HMD-01", "确认")
    assert again["documents"] == []
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 6.0


def test_a_written_date_that_cannot_be_read_is_asked_never_today(fresh: Stack) -> None:
    asked = fresh.turn("PAD-01", "张三,20251719,购铁观音2斤")
    assert asked["awaiting"] == "date" and asked["draft"] is None and asked["documents"] == []
    assert "日期看不清" in asked["reply"]["text"] and "2025年7月9日" in asked["reply"]["text"]
    date_field = next(f for f in asked["input"]["fields"] if f["name"] == "date")
    assert date_field["value"] is None and date_field["low_confidence"]
    assert date_field["alternatives"][0]["value"] == "2025-07-09"
    read_back = fresh.turn("PAD-01", "是")
    assert read_back["awaiting"] == "confirmation" and read_back["draft"]["date"] == "2025-07-09"
    assert doc_of(fresh.turn("PAD-01", "确认"))["date"] == "2025-07-09"


def test_an_unreadable_date_declined_is_asked_again_and_a_said_date_is_taken(fresh: Stack) -> None:
    fresh.turn("PAD-01", "张三,20251719,购铁观音2斤")
    offered_next = fresh.turn("PAD-01", "不是")
    assert offered_next["awaiting"] == "date" and "2025年7月9日" not in offered_next["reply"]["text"]
    read_back = fresh.turn("PAD-01", "2025年7月19日")
    assert read_back["awaiting"] == "confirmation" and read_back["draft"]["date"] == "2025-07-19"


def test_a_question_inside_a_form_is_answered_and_a_new_command_replaces_the_old(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨曲轴")
    answer = fresh.turn("HMD-01", "连杆还有多少")
    assert answer["awaiting"] == "quantity" and "连杆" in answer["reply"]["text"]
    replaced = fresh.turn("HMD-01", "调拨3件连杆到总装线A区")
    assert replaced["awaiting"] == "confirmation" and "已取消" not in replaced["reply"]["text"]
    assert replaced["draft"]["lines"][0]["item"] == "CR-2002"


def test_a_sale_said_in_the_middle_of_a_transfer_replaces_it(fresh: Stack) -> None:
    assert fresh.turn("PAD-01", "调拨龙井")["awaiting"] == "quantity"  # the shop's manager may do both
    sale = fresh.turn("PAD-01", "张三买两斤铁观音")
    assert sale["awaiting"] == "confirmation" and sale["draft"]["type"] == "sales_order"
    assert "已取消" not in sale["reply"]["text"]
    doc = doc_of(fresh.turn("PAD-01", "确认"))
    assert doc["type"] == "sales_order" and doc["lines"][0]["item"] == "TEA-TGY"
