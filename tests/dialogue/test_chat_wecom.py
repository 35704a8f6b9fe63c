"""WeCom's self-built app callback, driven exactly as WeCom drives it (signed, AES-encrypted XML; media and sends
on a fake platform served on loopback), against the real app and Rasa server."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.audio import amr_from_wav
from tests.channels.fake_wecom import CallbackRequest
from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLERK, STRANGER = "W12", "zhangsan-not-here"


def _post(stack: Stack, request: CallbackRequest) -> httpx.Response:
    return stack.client.post("/channels/wecom/callback", params=request.params, content=request.body,
                             headers=request.headers)


def _say(stack: Stack, user: str, text: str) -> tuple[CallbackRequest, str]:
    """A text message; the passive reply's words."""
    request = stack.wecom.callback(stack.wecom.text_message(user, text))
    response = _post(stack, request)
    assert response.status_code == 200, response.text
    return request, _content(stack.wecom.open_reply(response.content))


def _content(reply_xml: str) -> str:
    found = re.search(r"<Content><!\[CDATA\[(.*)\]\]></Content>", reply_xml, re.S)
    assert found, reply_xml
    return found.group(1)


def _available(stack: Stack, item: str) -> float:
    return sum(row["available"] for row in stack.stock("PAD-01", item).values())


def _turns(stack: Stack, device: str) -> list[dict[str, Any]]:
    response = stack.client.get("/api/v1/turns", params={"device": device},
                                headers={"Authorization": f"Bearer {stack.token('PAD-01')}"})
    assert response.status_code == 200, response.text
    turns: list[dict[str, Any]] = response.json()
    return turns


def _sent_to(stack: Stack, user: str, since: int, kind: str, timeout_s: float = 120, saying: str = "",
             ) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for body in stack.wecom.sent[since:]:
            if body.get("touser") == user and body.get("msgtype") == kind and saying in json.dumps(
                    body, ensure_ascii=False):
                return body
        time.sleep(0.2)
    raise AssertionError(f"no {kind} to {user}: {json.dumps(stack.wecom.sent[since:], ensure_ascii=False)}")


@pytest.fixture
def wecom(fresh: Stack) -> Stack:
    fresh.restart(f"wecom-{CLERK}")
    return fresh


def test_url_verification_answers_the_echo_and_refuses_a_bad_signature(wecom: Stack) -> None:
    request, echo = wecom.wecom.verification()
    response = wecom.client.get("/channels/wecom/callback", params=request.params)
    assert response.status_code == 200 and response.text == echo
    forged = {**request.params, "msg_signature": "0" * 40}
    assert wecom.client.get("/channels/wecom/callback", params=forged).status_code == 403


def test_a_sale_over_two_text_messages_and_a_retry_that_runs_nothing_twice(wecom: Stack) -> None:
    before = _available(wecom, "TEA-TGY")
    sent_before = len(wecom.wecom.sent)
    _, read_back = _say(wecom, CLERK, "张三买两斤铁观音")
    assert "铁观音" in read_back and "确认" in read_back
    card = _sent_to(wecom, CLERK, sent_before, "template_card")["template_card"]
    assert [b["key"] for b in card["button_list"]] == ["confirm", "cancel"]
    confirm, answer = _say(wecom, CLERK, "确认")
    assert re.search(r"SO-\d+", answer), answer
    assert _available(wecom, "TEA-TGY") == pytest.approx(before - 1000)
    turns = len(_turns(wecom, f"wecom-{CLERK}"))
    # WeCom retries a callback it thinks went unanswered: same MsgId, same body
    retried = _post(wecom, confirm)
    assert retried.status_code == 200 and retried.text == "success"
    assert _available(wecom, "TEA-TGY") == pytest.approx(before - 1000)
    assert len(_turns(wecom, f"wecom-{CLERK}")) == turns


def test_a_card_tap_confirms_the_read_back_it_was_shown_with(wecom: Stack) -> None:
    before = _available(wecom, "TEA-LJ")
    sent_before = len(wecom.wecom.sent)
    _say(wecom, CLERK, "李四买一斤龙井")
    card = _sent_to(wecom, CLERK, sent_before, "template_card")["template_card"]
    tap = wecom.wecom.callback(wecom.wecom.card_click(CLERK, "confirm", card["task_id"]))
    response = _post(wecom, tap)
    assert response.status_code == 200
    assert re.search(r"SO-\d+", _content(wecom.wecom.open_reply(response.content)))
    assert _available(wecom, "TEA-LJ") == pytest.approx(before - 500)



def test_a_voice_message_is_acknowledged_at_once_and_answered_through_the_send_api(wecom: Stack) -> None:
    before = _available(wecom, "TEA-TGY")
    media_id = wecom.wecom.add_media(amr_from_wav(FIXTURES / "voice" / "zh11.wav"), "audio/amr")
    sent_before = len(wecom.wecom.sent)
    response = _post(wecom, wecom.wecom.callback(wecom.wecom.voice_message(CLERK, media_id)))
    assert response.status_code == 200 and response.text == "success"
    read_back = _sent_to(wecom, CLERK, sent_before, "markdown")["markdown"]["content"]
    assert "铁观音" in read_back, read_back
    _, answer = _say(wecom, CLERK, "确认")
    assert re.search(r"SO-\d+", answer), answer
    assert _available(wecom, "TEA-TGY") == pytest.approx(before - 1000)


def test_a_photo_of_a_note_becomes_a_sale(wecom: Stack) -> None:
    before = _available(wecom, "TEA-TGY")
    media_id = wecom.wecom.add_media((FIXTURES / "notes" / "nd01.png").read_bytes(), "image/png")
    sent_before = len(wecom.wecom.sent)
    response = _post(wecom, wecom.wecom.callback(wecom.wecom.image_message(CLERK, media_id)))
    assert response.status_code == 200 and response.text == "success"
    read_back = _sent_to(wecom, CLERK, sent_before, "markdown")["markdown"]["content"]
    assert "铁观音" in read_back and "张三" in read_back, read_back
    _, answer = _say(wecom, CLERK, "确认")
    assert re.search(r"SO-\d+", answer), answer
    assert _available(wecom, "TEA-TGY") == pytest.approx(before - 1000)


def test_a_media_download_failure_is_told_and_writes_nothing(wecom: Stack) -> None:
    sent_before = len(wecom.wecom.sent)
    response = _post(wecom, wecom.wecom.callback(wecom.wecom.voice_message(CLERK, "media-that-expired")))
    assert response.status_code == 200
    told = _sent_to(wecom, CLERK, sent_before, "markdown")["markdown"]["content"]
    assert "没能下载" in told


def test_an_unknown_user_is_told_to_ask_a_manager_and_nothing_runs(wecom: Stack) -> None:
    _, told = _say(wecom, STRANGER, "张三买两斤铁观音")
    assert "还没有登记" in told


def test_bad_callbacks_are_refused_and_nothing_is_processed(wecom: Stack) -> None:
    fake = wecom.wecom
    turns = len(_turns(wecom, f"wecom-{CLERK}"))
    good = fake.callback(fake.text_message(CLERK, "铁观音还有多少"))
    forged = CallbackRequest("POST", {**good.params, "msg_signature": "f" * 40}, good.body, good.headers)
    assert _post(wecom, forged).status_code == 403
    stale_at = str(int(time.time()) - 3600)
    assert _post(wecom, fake.callback(fake.text_message(CLERK, "铁观音还有多少"), timestamp=stale_at)).status_code \
        == 403
    not_xml = CallbackRequest("POST", good.params, b"not xml at all", good.headers)
    assert _post(wecom, not_xml).status_code in (400, 403)
    assert len(_turns(wecom, f"wecom-{CLERK}")) == turns


def test_channels_try_sends_a_message_as_wecom_would_and_prints_the_reply(wecom: Stack) -> None:
    from assistant.ledger.db import make_engine
    from server.channels.trial import try_message

    engine = make_engine(wecom.settings.effective_database_url)
    try:
        reply = try_message(wecom.app_url, wecom.settings.channels, engine, "wecom", CLERK, "铁观音还有多少")
    finally:
        engine.dispose()
    assert "铁观音" in reply, reply


def test_news_reaches_the_worker_in_the_chat_the_transfer_was_asked_in(wecom: Stack) -> None:
    """A transfer over the limit asked in WeCom waits for approval; the decision reaches the operator in WeCom."""
    wecom.restart("wecom-W01")
    _, read_back = _say(wecom, "W01", "调拨200个螺栓到总装线A区")
    assert "审批限额" in read_back, read_back
    _, waiting = _say(wecom, "W01", "确认")
    document = re.search(r"TR-\d+", waiting)
    assert document and "尚未预留" in waiting, waiting
    sent_before = len(wecom.wecom.sent)
    approved = wecom.client.post(f"/api/v1/documents/{document.group(0)}/approve",
                                 headers={"Authorization": f"Bearer {wecom.token('PAD-DG')}"})
    assert approved.status_code == 200, approved.text
    told = _sent_to(wecom, "W01", sent_before, "markdown", saying="赵主管")["markdown"]["content"]
    assert document.group(0) in told, told
