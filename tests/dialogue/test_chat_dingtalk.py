"""DingTalk, driven as DingTalk drives it: the robot HTTP callback (signed headers) and Stream mode (the app dials
out to a fake gateway on loopback); files and session-webhook replies on the fake; against the real Rasa server."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.audio import amr_from_wav
from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLERK = "W12"


def _available(stack: Stack, item: str) -> float:
    return sum(row["available"] for row in stack.stock("PAD-01", item).values())


def _callback(stack: Stack, message: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return stack.client.post("/channels/dingtalk/callback", json=message,
                             headers=headers if headers is not None else stack.dingtalk.callback_headers())


def _reply_to(stack: Stack, session: str, since: int = 0, timeout_s: float = 120) -> str:
    fake = stack.dingtalk
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for post in fake.replies[since:]:
            if post.key == session:
                text: str = post.body["markdown"]["text"]
                return text
        time.sleep(0.2)
    raise AssertionError(f"no reply on session {session}")


def _message(stack: Stack, text: str = "", msgtype: str = "text", **fields: Any) -> tuple[dict[str, Any], str]:
    session = uuid.uuid4().hex[:10]
    message = stack.dingtalk.robot_message(msgtype, text=text, sender_staff_id=CLERK,
                                           session_webhook=stack.dingtalk.session_webhook(session), **fields)
    return message, session


def _say(stack: Stack, text: str) -> tuple[dict[str, Any], str]:
    message, session = _message(stack, text)
    response = _callback(stack, message)
    assert response.status_code == 200, response.text
    return message, _reply_to(stack, session)


@pytest.fixture
def dingtalk(fresh: Stack) -> Stack:
    fresh.restart(f"dingtalk-{CLERK}")
    return fresh


def test_a_sale_over_two_callback_messages_and_a_retry_that_runs_nothing_twice(dingtalk: Stack) -> None:
    before = _available(dingtalk, "TEA-TGY")
    _, read_back = _say(dingtalk, "张三买两斤铁观音")
    assert "铁观音" in read_back and "dtmd://dingtalkclient/sendMessage" in read_back
    confirm, answer = _say(dingtalk, "确认")
    assert re.search(r"SO-\d+", answer), answer
    assert _available(dingtalk, "TEA-TGY") == pytest.approx(before - 1000)
    replies = len(dingtalk.dingtalk.replies)
    assert _callback(dingtalk, confirm).status_code == 200  # DingTalk retries: same msgId
    time.sleep(1)
    assert len(dingtalk.dingtalk.replies) == replies
    assert _available(dingtalk, "TEA-TGY") == pytest.approx(before - 1000)



def test_a_voice_message_by_callback_is_downloaded_heard_and_ends_in_a_sale(dingtalk: Stack) -> None:
    before = _available(dingtalk, "TEA-TGY")
    code = f"audio-{uuid.uuid4().hex[:8]}"
    dingtalk.dingtalk.add_file(code, amr_from_wav(FIXTURES / "voice" / "zh11.wav"))
    message, session = _message(dingtalk, msgtype="audio",
                                content={"downloadCode": code, "duration": 3000, "recognition": ""})
    assert _callback(dingtalk, message).status_code == 200
    read_back = _reply_to(dingtalk, session)
    assert "铁观音" in read_back and "张三" in read_back, read_back
    _, answer = _say(dingtalk, "确认")
    assert re.search(r"SO-\d+", answer), answer
    assert _available(dingtalk, "TEA-TGY") == pytest.approx(before - 1000)


def test_a_photo_of_a_note_by_stream_mode_becomes_a_sale(dingtalk: Stack) -> None:
    fake = dingtalk.dingtalk
    fake.wait_connections_sync(1, timeout=60)
    before = _available(dingtalk, "TEA-TGY")
    code = f"photo-{uuid.uuid4().hex[:8]}"
    fake.add_file(code, (FIXTURES / "notes" / "nd01.png").read_bytes())
    message, session = _message(dingtalk, msgtype="picture", content={"downloadCode": code})
    fake.push_callback(message)
    read_back = _reply_to(dingtalk, session)
    assert "铁观音" in read_back and "张三" in read_back, read_back
    confirm, session = _message(dingtalk, "确认")
    fake.push_callback(confirm)
    assert re.search(r"SO-\d+", _reply_to(dingtalk, session))
    assert _available(dingtalk, "TEA-TGY") == pytest.approx(before - 1000)


def test_a_sale_over_stream_mode(dingtalk: Stack) -> None:
    fake = dingtalk.dingtalk
    fake.wait_connections_sync(1, timeout=60)
    before = _available(dingtalk, "TEA-LJ")
    message, session = _message(dingtalk, "李四买一斤龙井")
    frame = fake.push_callback(message)
    fake.wait_ack_sync(frame, timeout=30)
    assert "龙井" in _reply_to(dingtalk, session)
    confirm, session = _message(dingtalk, "确认")
    fake.push_callback(confirm)
    assert re.search(r"SO-\d+", _reply_to(dingtalk, session))
    assert _available(dingtalk, "TEA-LJ") == pytest.approx(before - 500)


def test_bad_signatures_and_stale_timestamps_are_refused(dingtalk: Stack) -> None:
    message, _ = _message(dingtalk, "铁观音还有多少")
    forged = {**dingtalk.dingtalk.callback_headers(), "sign": "bm90IGEgc2lnbmF0dXJl"}
    assert _callback(dingtalk, message, forged).status_code == 403
    stale = dingtalk.dingtalk.callback_headers(now_ms=int(time.time() * 1000) - 2 * 3_600_000)
    assert _callback(dingtalk, message, stale).status_code == 403
    replies = len(dingtalk.dingtalk.replies)
    time.sleep(0.5)
    assert len(dingtalk.dingtalk.replies) == replies
