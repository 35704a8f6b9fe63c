"""The WeCom intelligent bot's long connection, driven as the platform drives it: the app dials out to a fake
platform (WebSocket on loopback), subscribes, and gets message and card-click frames; against the real Rasa."""

from __future__ import annotations

import re
from typing import Any

import pytest

from server.channels.wecom.bot_frames import CardBody, Part, Respond, SendMessage, StreamReply
from tests.channels.fake_wecom_bot import FakeWeComBotPlatform
from tests.dialogue.conftest import Stack

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
