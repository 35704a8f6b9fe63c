"""The steel trader through the real Rasa server: tonnes, the size asked when missing, delivery date and place on
the order, credit limits, and a customer's contact ordering in WeCom."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.catalogue import say_date
from assistant.language.delivery import month_end
from tests.channels.fake_wecom import CallbackRequest
from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa

CONTACT = "hongda-zhou"  # 周建国 of 宏达建工 (C101) in WeCom
ADDRESS = "佛山市南海区桂城街道海八路88号宏达项目部工地"


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def steel(fresh: Stack) -> Stack:
    for device in ("PAD-FS", f"wecom-{CONTACT}", "wecom-W21"):
        fresh.restart(device)
    return fresh


def _document(stack: Stack, device: str, doc_id: str) -> dict[str, Any]:
    response = stack.client.get(f"/api/v1/documents/{doc_id}",
                                headers={"Authorization": f"Bearer {stack.token(device)}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _wecom_say(stack: Stack, user: str, text: str) -> str:
    request: CallbackRequest = stack.wecom.callback(stack.wecom.text_message(user, text))
    response = stack.client.post("/channels/wecom/callback", params=request.params, content=request.body,
                                 headers=request.headers)
    assert response.status_code == 200, response.text
    found = re.search(r"<Content><!\[CDATA\[(.*)\]\]></Content>", stack.wecom.open_reply(response.content), re.S)
    assert found
    return found.group(1)


def test_tablet_order_asks_the_size_and_puts_the_delivery_on_the_order(steel: Stack) -> None:
    asked = steel.turn("PAD-FS", "宏达建工订二十吨螺纹钢，月底之前送到")
    assert asked["intent"]["name"] == "create_sales_order"
    assert asked["awaiting"] in ("item", "choice")
    assert "Φ12" in asked["reply"]["text"] and "Φ16" in asked["reply"]["text"]  # which size: never defaulted
    read_back = steel.turn("PAD-FS", "16的")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]["text"]
    deadline = month_end(_today())
    text = read_back["reply"]["text"]
    assert "宏达建工" in text and "螺纹钢HRB400 Φ16" in text and "20吨" in text and "77200.00" in text
    assert say_date(deadline, "zh") in text and ADDRESS in text
    doc = doc_of(steel.turn("PAD-FS", "确认"))
    assert (doc["status"], doc["site"], doc["customer"]["code"]) == ("confirmed", "FS", "C101")
    assert doc["lines"][0]["item"] == "RB400-16" and doc["lines"][0]["qty_base"] == 20000.0
    shown = _document(steel, "PAD-FS", doc["id"])
    assert (shown["delivery_date"], shown["delivery_place"]) == (deadline.isoformat(), ADDRESS)


def test_a_place_said_replaces_the_address(steel: Stack) -> None:
    read_back = steel.turn("PAD-FS", "顺安路桥要热卷12吨，三天内送到三水工地")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]["text"]
    assert "三水工地" in read_back["reply"]["text"]
    doc = doc_of(steel.turn("PAD-FS", "确认"))
    shown = _document(steel, "PAD-FS", doc["id"])
    assert shown["delivery_place"] == "三水工地"
    assert shown["delivery_date"] == (_today() + dt.timedelta(days=3)).isoformat()


def test_an_order_over_the_credit_waits_for_a_managers_approval(steel: Stack) -> None:
    read_back = steel.turn("PAD-FS", "利民五金要10吨高线")  # 37,600 yuan against a 30,000 limit
    text = read_back["reply"]["text"]
    assert "37,600.00" in text and "30,000.00" in text and "经理审批" in text
    assert read_back["awaiting"] == "confirmation"
    waiting = doc_of(steel.turn("PAD-FS", "确认"))
    assert (waiting["status"], waiting["customer"]["code"]) == ("awaiting_approval", "C103")
    assert steel.stock("PAD-FS", "WR-HPB300")["FS-WH"]["on_hand"] == 90000.0  # nothing deducted while it waits

    steel.restart("PAD-FS-MGR")
    refused = steel.client.post(f"/api/v1/documents/{waiting['id']}/approve",
                                headers={"Authorization": f"Bearer {steel.token('PAD-FS')}"})
    assert refused.status_code == 403  # a clerk may not approve
    approved = doc_of(steel.turn("PAD-FS-MGR", f"批准{waiting['id']}"))
    assert (approved["id"], approved["status"], approved["decided_by"]) == (waiting["id"], "confirmed", "W22")
    assert steel.stock("PAD-FS", "WR-HPB300")["FS-WH"]["on_hand"] == 80000.0


def test_a_traders_customer_is_not_sold_to_from_the_tea_shop(steel: Stack) -> None:
    reply = steel.turn("PAD-01", "宏达建工买两斤铁观音")
    assert "佛山钢贸" in reply["reply"]["text"]
    assert reply["awaiting"] != "confirmation"
    steel.restart("PAD-01")


def test_a_customers_contact_orders_in_wecom_for_their_customer_only(steel: Stack) -> None:
    read_back = _wecom_say(steel, CONTACT, "我们要20吨螺纹钢Φ16，月底前送到")
    assert "宏达建工" in read_back and "20吨" in read_back and ADDRESS in read_back, read_back
    done = _wecom_say(steel, CONTACT, "确认")
    doc_id = re.search(r"SO-\d{6}", done)
    assert doc_id, done
    shown = _document(steel, "PAD-FS", doc_id.group())
    assert (shown["customer"]["code"], shown["site"], shown["status"]) == ("C101", "FS", "confirmed")
    assert shown["delivery_date"] == month_end(_today()).isoformat()

    refused = _wecom_say(steel, CONTACT, "调拨5吨高线到钢材仓")
    assert "宏达建工的联系人" in refused and "调拨" in refused
    assert steel.stock("PAD-FS", "WR-HPB300")["FS-WH"]["reserved"] == 0.0

    other = _wecom_say(steel, CONTACT, "给顺安路桥要5吨热卷")
    assert "只能给宏达建工下单" in other and "顺安路桥，" not in other
    _wecom_say(steel, CONTACT, "取消")

    # The contact's conversation is on the record of the customer's site: its manager may read it.
    turns = steel.client.get("/api/v1/turns", params={"device": f"wecom-{CONTACT}"},
                             headers={"Authorization": f"Bearer {steel.token('PAD-FS-MGR')}"})
    assert turns.status_code == 200, turns.text
    assert any(t["input_text"] == "调拨5吨高线到钢材仓" and t["worker"] is None for t in turns.json())


def test_a_contacts_order_over_the_credit_is_decided_by_the_manager_and_they_are_told(steel: Stack) -> None:
    read_back = _wecom_say(steel, CONTACT, "要60吨螺纹钢Φ16，下周三前送到")  # 231,600 against 200,000
    assert "231,600.00" in read_back and "经理审批" in read_back, read_back
    waiting = re.search(r"SO-\d{6}", _wecom_say(steel, CONTACT, "确认"))
    assert waiting
    since = len(steel.wecom.sent)
    steel.restart("PAD-FS-MGR")
    approved = doc_of(steel.turn("PAD-FS-MGR", f"批准{waiting.group()}"))
    assert approved["status"] == "confirmed"
    deadline = time.monotonic() + 60
    while not any(body.get("touser") == CONTACT and waiting.group() in json.dumps(body, ensure_ascii=False)
                  for body in steel.wecom.sent[since:]):
        assert time.monotonic() < deadline, steel.wecom.sent[since:]
        time.sleep(0.2)


def test_an_unknown_chat_user_is_still_turned_away(steel: Stack) -> None:
    assert "还没有登记" in _wecom_say(steel, "somebody-else", "要5吨热卷")


def test_documents_api_names_delivery_for_every_sale(steel: Stack) -> None:
    steel.turn("PAD-01", "张三买两斤铁观音")
    doc = doc_of(steel.turn("PAD-01", "确认"))
    shown = _document(steel, "PAD-01", doc["id"])
    assert shown["delivery_date"] is None and shown["delivery_place"] is None  # a counter sale: none
