"""Scanned labels join the dialogue: a part label fills the item of the next command, a shelf label the source."""

from __future__ import annotations

from typing import Any

import pytest
import zxingcpp

from tests.dialogue.conftest import Stack, doc_of, label_png

pytestmark = pytest.mark.rasa


def _scan(stack: Stack, device: str, png: bytes) -> dict[str, Any]:
    status, body = stack.image(device, png, "label.png")
    assert status == 200, body
    return body


def test_a_scanned_part_is_what_this_means(fresh: Stack) -> None:
    scanned = _scan(fresh, "HMD-01", label_png("6931234500070", zxingcpp.BarcodeFormat.EAN13))
    assert scanned["input"]["codes"][0]["match"]["code"] == "CS-1001"
    assert "曲轴" in scanned["reply"]["text"] and scanned["documents"] == []
    read_back = fresh.turn("HMD-01", "这个调拨5件到总装线A区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    assert "曲轴" in read_back["reply"]["text"] and "总装线A区" in read_back["reply"]["text"]
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert doc["lines"][0]["item"] == "CS-1001" and doc["lines"][0]["to"] == "LINE-A"


def test_a_scanned_shelf_is_the_source(fresh: Stack) -> None:
    _scan(fresh, "HMD-01", label_png("B-01", zxingcpp.BarcodeFormat.Code128))
    fresh.turn("HMD-01", "调拨10个活塞到总装线A区")
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    assert doc["lines"][0]["from"] == "B-01" and doc["lines"][0]["item"] == "PS-2001"


def test_an_unknown_code_says_so(fresh: Stack) -> None:
    reply = _scan(fresh, "HMD-01", label_png("6931234500780", zxingcpp.BarcodeFormat.EAN13))
    assert "没有对应的物料" in reply["reply"]["text"] and reply["documents"] == []


def test_a_gs1_label_records_lot_and_expiry_on_the_moved_stock(fresh: Stack) -> None:
    label = label_png("(01)06931234500070(10)CS2406(17)270630", zxingcpp.BarcodeFormat.Code128, gs1=True)
    scanned = _scan(fresh, "HMD-01", label)
    assert scanned["input"]["codes"][0]["gs1"]["lot"] == "CS2406"
    read_back = fresh.turn("HMD-01", "这个调拨5件到总装线B区")
    assert "批号CS2406" in read_back["reply"]["text"]
    line = doc_of(fresh.turn("HMD-01", "确认"))["lines"][0]
    assert (line["item"], line["lot"], line["expiry"]) == ("CS-1001", "CS2406", "2027-06-30")
