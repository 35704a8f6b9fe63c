"""The WeCom intelligent bot's long connection, driven as the platform drives it: the app dials out to a fake
platform (WebSocket on loopback), subscribes, and gets message and card-click frames; against the real Rasa."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Response

from server.channels.wecom.bot_frames import CardBody, Media, Part, Respond, SendMessage, StreamReply
from server.channels.wecom.bot_media import encrypt_media
from tests.channels.fake_wecom_bot import FakeWeComBotPlatform
from tests.dialogue.conftest import Stack
from tests.support import free_port, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytestmark = pytest.mark.rasa
CLERK = "W12"


def _available(stack: Stack, item: str) -> float:
    return sum(row["available"] for row in stack.stock("PAD-01", item).values())


def _answer(stack: Stack, req_id: str) -> str:
    bot: FakeWeComBotPlatform = stack.wecom_bot
    replies = stack.platform_loop.run(bot.wait_replies(req_id, finished=True, timeout_s=120))
    [final] = [r for r in replies if isinstance(r, Respond) and isinstance(r.body, StreamReply) and r.body.finish]
    assert isinstance(final.body, StreamReply)
    return final.body.content


def _say(stack: Stack, text: str, msg_id: str | None = None) -> tuple[str, str]:
    req_id: str = stack.platform_loop.run(stack.wecom_bot.push_text(text, user=CLERK, msg_id=msg_id))
    return req_id, _answer(stack, req_id)


def _last_card(stack: Stack, since: int) -> dict[str, Any]:
    pushes: list[SendMessage] = stack.platform_loop.run(stack.wecom_bot.wait_pushes(since + 1, timeout_s=60))
    cards = [p.body.card.to_obj() for p in pushes[since:] if isinstance(p.body, CardBody)]
    assert cards, pushes
    return cards[-1]


@pytest.fixture
def bot(fresh: Stack) -> Stack:
    fresh.restart(f"wecom-{CLERK}")
    fresh.platform_loop.run(fresh.wecom_bot.wait_subscribed(timeout_s=60))
    return fresh


def test_a_sale_over_the_long_connection_confirmed_by_a_card_tap_and_a_redelivery_runs_nothing(bot: Stack) -> None:
    before = _available(bot, "TEA-TGY")
    pushes = len(bot.wecom_bot.pushes)
    _, read_back = _say(bot, "张三买两斤铁观音")
    assert "铁观音" in read_back and "确认" in read_back
    card = _last_card(bot, pushes)
    assert [b["key"] for b in card["button_list"]] == ["confirm", "cancel"]
    tap = bot.platform_loop.run(bot.wecom_bot.push_card_click("confirm", card["task_id"], user=CLERK))
    assert re.search(r"SO-\d+", _answer(bot, tap))
    assert _available(bot, "TEA-TGY") == pytest.approx(before - 1000)
    # the platform redelivers a message (same msgid, new frame): nothing runs again, nothing is answered
    message = bot.wecom_bot.message("text", (Part("text", "张三买两斤铁观音"),), user=CLERK, msg_id="redelivered-1")
    first = bot.platform_loop.run(bot.wecom_bot.push_message(message))
    _answer(bot, first)
    again = bot.platform_loop.run(bot.wecom_bot.push_message(message))
    with pytest.raises(TimeoutError):
        bot.platform_loop.run(bot.wecom_bot.wait_replies(again, timeout_s=3))


def test_an_unknown_user_on_the_long_connection_is_told_to_ask_a_manager(bot: Stack) -> None:
    req_id = bot.platform_loop.run(bot.wecom_bot.push_text("铁观音还有多少", user="somebody-else"))
    assert "还没有登记" in _answer(bot, req_id)


@pytest.fixture
def media_host() -> Iterator[tuple[str, dict[str, bytes]]]:
    """Where the platform keeps a message's encrypted image (a storage host of its own), on loopback."""
    files: dict[str, bytes] = {}
    app = FastAPI()

    @app.get("/media/{name}")
    async def media(name: str) -> Response:
        return Response(files[name], media_type="application/octet-stream")

    with serve(app, free_port()) as url:
        yield url, files


def test_a_photo_and_a_voice_message_over_the_long_connection_end_in_documents(
        bot: Stack, media_host: tuple[str, dict[str, bytes]]) -> None:
    url, files = media_host
    key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    files["nd01"] = encrypt_media((FIXTURES / "notes" / "nd01.png").read_bytes(), key)
    before = _available(bot, "TEA-TGY")
    photo = bot.wecom_bot.message("image", (Part("image", media=Media(f"{url}/media/nd01", key)),), user=CLERK)
    read_back = _answer(bot, bot.platform_loop.run(bot.wecom_bot.push_message(photo)))
    assert "铁观音" in read_back and "张三" in read_back, read_back
    _, answer = _say(bot, "确认")
    assert re.search(r"SO-\d+", answer), answer
    assert _available(bot, "TEA-TGY") == pytest.approx(before - 1000)
    # a voice message arrives as the platform's own recognised words
    voice = bot.wecom_bot.message("voice", (Part("voice", "李四买一斤龙井"),), user=CLERK)
    assert "龙井" in _answer(bot, bot.platform_loop.run(bot.wecom_bot.push_message(voice)))
    _, answer = _say(bot, "确认")
    assert re.search(r"SO-\d+", answer), answer
