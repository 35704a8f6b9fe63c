"""Drafts on the tablet: the read-back comes with the draft order and confirm/cancel buttons; a new customer is
offered, read back as new, and registered only when the order is confirmed; a scanned lot goes on the sale."""

from __future__ import annotations

import pytest
import zxingcpp

from tests.dialogue.conftest import Stack, doc_of, label_png

pytestmark = pytest.mark.rasa


def test_an_unknown_customer_is_offered_and_registered_by_the_confirm_tap(fresh: Stack) -> None:
    offered = fresh.turn("PAD-01", "孙七,2025年1月20日,购铁观音2斤")
    assert "孙七" in offered["reply"]["text"] and "新客户" in offered["reply"]["text"], offered["reply"]
    assert offered["awaiting"] == "customer" and offered["documents"] == [] and offered["draft"] is None
    assert [(a["id"], a["label"]) for a in offered["actions"]] == [("confirm", "登记新客户"), ("cancel", "不是")]

    read_back = fresh.tap("PAD-01", "confirm")  # the same as saying "是"
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    assert "孙七(新客户)" in read_back["reply"]["text"]
    draft = read_back["draft"]
    assert draft["status"] == "draft" and draft["customer"] == {"code": None, "name": "孙七", "new": True}
    assert (draft["date"], draft["lines"][0]["item"], draft["lines"][0]["qty_base"]) == ("2025-01-20", "TEA-TGY",
                                                                                          1000.0)
    assert draft["total"] == 336.0 and read_back["documents"] == []
    assert [a["id"] for a in read_back["actions"]] == ["confirm", "cancel"]
    assert [a["label"] for a in read_back["actions"]] == ["确认", "取消"]

    confirmed = fresh.tap("PAD-01", "confirm")
    assert confirmed["intent"]["name"] == "create_sales_order" and confirmed["input"]["kind"] == "action"
    order = doc_of(confirmed)
    assert order["customer"] == {"code": "C011", "name": "孙七"} and order["total"] == 336.0
    assert confirmed["draft"] is None and confirmed["actions"] == []

    again = fresh.turn("PAD-01", "孙七,2025年1月21日,购龙井1斤")  # known by name now
    assert again["awaiting"] == "confirmation", again["reply"]
    assert again["draft"]["customer"] == {"code": "C011", "name": "孙七", "new": False}


def test_saying_no_to_a_new_customer_asks_who_it_is(fresh: Stack) -> None:
    fresh.turn("PAD-01", "孙七,2025年1月20日,购铁观音2斤")
    asked = fresh.turn("PAD-01", "不是")
    assert asked["awaiting"] == "customer" and "客户是谁" in asked["reply"]["text"], asked["reply"]
    assert asked["actions"] == []  # an open question: no buttons
    read_back = fresh.turn("PAD-01", "张三")
    assert read_back["draft"]["customer"]["code"] == "C001", read_back["reply"]


def test_the_cancel_tap_drops_the_draft_and_writes_nothing(fresh: Stack) -> None:
    before = fresh.stock("PAD-01", "TEA-LJ")
    read_back = fresh.turn("PAD-01", "李四 2025-02-03 龙井 5斤")
    assert read_back["awaiting"] == "confirmation" and read_back["draft"]["customer"]["code"] == "C002"
    cancelled = fresh.tap("PAD-01", "cancel")
    assert "取消" in cancelled["reply"]["text"] and cancelled["documents"] == [] and cancelled["draft"] is None
    assert fresh.stock("PAD-01", "TEA-LJ") == before
    nothing = fresh.tap("PAD-01", "confirm")
    assert nothing["documents"] == []


def test_a_scanned_tea_label_puts_its_lot_on_the_sale(fresh: Stack) -> None:
    label = label_png("(01)06931234500773(10)TG2503(17)270331", zxingcpp.BarcodeFormat.Code128, gs1=True)
    _, scanned = fresh.image("PAD-01", label, "label.png")
    assert scanned["input"]["codes"][0]["match"]["code"] == "TEA-TGY"
    read_back = fresh.turn("PAD-01", "张三买这个2斤")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    assert "批号TG2503" in read_back["reply"]["text"] and read_back["draft"]["lines"][0]["lot"] == "TG2503"
    line = doc_of(fresh.turn("PAD-01", "确认"))["lines"][0]
    assert (line["item"], line["lot"], line["expiry"], line["qty_base"]) == ("TEA-TGY", "TG2503", "2027-03-31",
                                                                              1000.0)


def test_an_english_speaker_names_a_customer_in_pinyin(fresh: Stack) -> None:
    read_back = fresh.turn("PAD-01", "Zhang San buys 2 jin of tieguanyin")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    assert read_back["draft"]["customer"]["code"] == "C001" and read_back["reply"]["text"].startswith("张三")
    assert [a["label"] for a in read_back["actions"]] == ["Confirm", "Cancel"]
