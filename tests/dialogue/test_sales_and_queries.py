"""Sales orders, stock questions and small talk through the real Rasa server."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa


def test_spoken_sale_deducts_shelf_first(fresh: Stack) -> None:
    read_back = fresh.turn("PAD-01", "张三买两斤铁观音")
    assert read_back["intent"]["name"] == "create_sales_order"
    assert read_back["awaiting"] == "confirmation"
    assert "336.00" in read_back["reply"]["text"]
    done = fresh.turn("PAD-01", "确认")
    doc = doc_of(done)
    assert doc["type"] == "sales_order" and doc["status"] == "confirmed"
    assert doc["customer"]["code"] == "C001"
    assert doc["date"] == dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert doc["lines"][0]["item"] == "TEA-TGY" and doc["lines"][0]["qty_base"] == 1000.0
    assert fresh.stock("PAD-01", "TEA-TGY")["SHOP"]["on_hand"] == 4000.0


def test_note_text_with_a_date(fresh: Stack) -> None:
    fresh.turn("PAD-01", "张三,2025年1月20日,购铁观音2斤")
    doc = doc_of(fresh.turn("PAD-01", "确认"))
    assert (doc["customer"]["code"], doc["date"]) == ("C001", "2025-01-20")
    assert doc["lines"][0]["qty_base"] == 1000.0


def test_sale_asks_for_the_customer(fresh: Stack) -> None:
    asked = fresh.turn("PAD-01", "卖三斤龙井")
    assert asked["awaiting"] == "customer"
    read_back = fresh.turn("PAD-01", "李四")
    assert read_back["awaiting"] == "confirmation"
    doc = doc_of(fresh.turn("PAD-01", "确认"))
    assert doc["customer"]["code"] == "C002" and doc["lines"][0]["qty_base"] == 1500.0


def test_stock_question(fresh: Stack) -> None:
    reply = fresh.turn("PAD-01", "查询铁观音库存")
    assert reply["intent"]["name"] == "check_stock"
    assert "店面货架" in reply["reply"]["text"] and "后仓" in reply["reply"]["text"]
    assert reply["documents"] == []


def test_stock_question_in_english(fresh: Stack) -> None:
    reply = fresh.turn("HMD-01", "how many connecting rods are in stock")
    assert reply["intent"]["name"] == "check_stock"
    assert "B-02" in reply["reply"]["text"]


def test_greeting_and_help(fresh: Stack) -> None:
    assert fresh.turn("HMD-01", "你好")["intent"]["name"] == "greet"
    assert "调拨" in fresh.turn("HMD-01", "你能做什么")["reply"]["text"]


def test_agv_request_is_understood(fresh: Stack) -> None:
    reply = fresh.turn("HMD-01", "派一台小车到二号月台")
    assert reply["intent"]["name"] == "dispatch_agv"
    assert "DOCK-2" in reply["reply"]["text"]


def test_a_sale_taken_from_shelf_and_back_room_is_one_line(fresh: Stack) -> None:
    fresh.turn("PAD-01", "张三买12斤铁观音")
    doc = doc_of(fresh.turn("PAD-01", "确认"))
    [line] = doc["lines"]
    assert line["qty_base"] == 6000.0 and line["line_total"] == 2016.0
    assert line["picks"] == [{"from": "SHOP", "qty_base": 5000.0}, {"from": "BACK", "qty_base": 1000.0}]
