"""Transfers through the turn API, the real Rasa server and the ledger: slot filling, read-back, confirm,
deny, cancel, ambiguity and the errors that must write nothing."""

from __future__ import annotations

import pytest

from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa


def _transfer(doc: dict) -> tuple[str, float, str]:
    line = doc["lines"][0]
    return line["item"], line["qty_base"], line["to"]


def test_one_sentence_read_back_then_confirm_reserves(fresh: Stack) -> None:
    first = fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    assert first["intent"]["name"] == "transfer_stock"
    assert first["awaiting"] == "confirmation"
    assert "曲轴" in first["reply"]["text"] and "总装线B区" in first["reply"]["text"]
    assert "确认" in first["reply"]["text"]
    assert first["documents"] == []
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 0

    done = fresh.turn("HMD-01", "确认")
    assert done["intent"]["utterance"] == "affirm"
    assert done["intent"]["name"] == "transfer_stock"  # the turn executed the command read back before
    doc = doc_of(done)
    assert doc["type"] == "transfer" and doc["status"] == "confirmed"
    assert _transfer(doc) == ("CS-1001", 5.0, "LINE-B")
    assert doc["lines"][0]["from"] == "A-01"
    assert done["awaiting"] is None
    stock = fresh.stock("HMD-01", "CS-1001")["A-01"]
    assert stock == {"on_hand": 40.0, "reserved": 5.0, "available": 35.0}


def test_form_asks_for_what_is_missing(fresh: Stack) -> None:
    asked = fresh.turn("HMD-01", "调拨曲轴")
    assert asked["awaiting"] == "quantity"
    assert "多少" in asked["reply"]["text"]
    where = fresh.turn("HMD-01", "5件")
    assert where["awaiting"] == "destination"
    read_back = fresh.turn("HMD-01", "总装二线")
    assert read_back["awaiting"] == "confirmation"
    assert "总装线B区" in read_back["reply"]["text"]
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert _transfer(doc) == ("CS-1001", 5.0, "LINE-B")


def test_units_and_numerals_through_the_item(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨两箱螺栓到质检区")
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert _transfer(doc) == ("BT-M8", 200.0, "QC")


@pytest.mark.parametrize("no", ["取消", "不要了", "不对"])
def test_no_after_read_back_writes_nothing(fresh: Stack, no: str) -> None:
    fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    reply = fresh.turn("HMD-01", no)
    assert reply["documents"] == [] and reply["awaiting"] is None
    assert "取消" in reply["reply"]["text"]
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 0
    # and a later yes has nothing to confirm
    later = fresh.turn("HMD-01", "确认")
    assert later["documents"] == []


def test_cancel_in_the_middle_of_the_form(fresh: Stack) -> None:
    assert fresh.turn("HMD-01", "调拨曲轴")["awaiting"] == "quantity"
    reply = fresh.turn("HMD-01", "取消")
    assert reply["awaiting"] is None and reply["documents"] == []


def test_ambiguous_destination_is_asked_not_guessed(fresh: Stack) -> None:
    asked = fresh.turn("HMD-01", "调拨5件曲轴到总装线")
    assert asked["awaiting"] in ("destination", "choice")
    assert "总装线A区" in asked["reply"]["text"] and "总装线B区" in asked["reply"]["text"]
    read_back = fresh.turn("HMD-01", "B区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert _transfer(doc) == ("CS-1001", 5.0, "LINE-B")


def test_unknown_item_is_named_and_nothing_written(fresh: Stack) -> None:
    reply = fresh.turn("HMD-01", "调拨5件飞机到总装线B区")
    assert "没有找到物料“飞机”" in reply["reply"]["text"]
    assert reply["documents"] == []


def test_more_than_available_says_what_is_available(fresh: Stack) -> None:
    reply = fresh.turn("HMD-01", "调拨100件曲轴到总装线B区")
    assert "可用库存只有" in reply["reply"]["text"]
    assert reply["awaiting"] != "confirmation"
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 0


def test_destination_in_another_site_is_refused(fresh: Stack) -> None:
    reply = fresh.turn("HMD-01", "调拨5件曲轴到后仓")
    assert "后仓" in reply["reply"]["text"] and "福州茶叶店" in reply["reply"]["text"]
    assert reply["awaiting"] != "confirmation"


def test_explicit_source(fresh: Stack) -> None:
    read_back = fresh.turn("HMD-01", "从A区1号货架调10件曲轴到总装线A区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert doc["lines"][0]["from"] == "A-01" and _transfer(doc) == ("CS-1001", 10.0, "LINE-A")


def test_english_in_english(fresh: Stack) -> None:
    read_back = fresh.turn("HMD-01", "transfer five crankshafts to assembly line B")
    assert read_back["awaiting"] == "confirmation"
    assert "Confirm?" in read_back["reply"]["text"]
    done = fresh.turn("HMD-01", "yes")
    doc = doc_of(done)
    assert _transfer(doc) == ("CS-1001", 5.0, "LINE-B")
    assert "Confirmed" in done["reply"]["text"]


def test_low_stock_warning_after_a_large_transfer(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨25件曲轴到总装线B区")
    done = fresh.turn("HMD-01", "确认")
    assert done["documents"][0]["status"] == "confirmed"
    assert "安全库存" in done["reply"]["text"]


def test_long_conversations_stay_short_and_keep_their_state(fresh: Stack) -> None:
    for _ in range(12):
        fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
        fresh.turn("HMD-01", "取消")
    assert fresh.turn("HMD-01", "调拨曲轴")["awaiting"] == "quantity"
    for _ in range(6):  # side questions inside the form push its start out of the kept window
        fresh.turn("HMD-01", "连杆还有多少")
    assert fresh.conversation_events("HMD-01") <= 120
    assert fresh.turn("HMD-01", "5件")["awaiting"] == "destination"
    assert fresh.turn("HMD-01", "总装二线")["awaiting"] == "confirmation"
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert doc["lines"][0]["qty_base"] == 5.0


def test_cancelling_a_transfer_just_confirmed_is_read_back_first(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    asked = fresh.turn("HMD-01", "取消")
    assert asked["awaiting"] == "confirmation" and doc["id"] in asked["reply"]["text"]
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 5.0  # nothing undone before the yes
    done = fresh.turn("HMD-01", "确认")
    cancelled = doc_of(done)
    assert cancelled["id"] == doc["id"] and cancelled["status"] == "cancelled"
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 0.0


def test_a_second_no_drops_the_offer_to_cancel(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    fresh.turn("HMD-01", "确认")
    assert fresh.turn("HMD-01", "取消")["awaiting"] == "confirmation"
    assert fresh.turn("HMD-01", "不要了")["awaiting"] is None
    assert fresh.stock("HMD-01", "CS-1001")["A-01"]["reserved"] == 5.0


def test_an_open_read_back_survives_a_restart_of_the_dialogue_engine(fresh: Stack) -> None:
    read_back = fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    assert read_back["awaiting"] == "confirmation"
    fresh.rasa.stop()
    fresh.rasa.start()  # a new process: the conversation comes back from the tracker store
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert _transfer(doc) == ("CS-1001", 5.0, "LINE-B") and doc["status"] == "confirmed"
