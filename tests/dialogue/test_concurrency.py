"""Turns of one device sent at the same time: every answer carries its own turn's intent, entities and reply,
never another's. Through the public API (the app takes a device's turns one at a time), and straight at Rasa's
Frontline channel, which hands back the conversation state of the same exchange under the conversation's lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa

# Two commands whose answers cannot be mistaken for each other's.
TRANSFER = "调拨5件曲轴到总装线B区"
QUERY = "查询连杆库存"
ROUNDS = 6


def _own(turn: dict[str, Any], text: str) -> bool:
    entities = {(e["entity"], e["value"]) for e in turn["entities"]}
    if text == TRANSFER:
        return turn["intent"]["name"] == "transfer_stock" and ("item", "CS-1001") in entities \
            and "确认吗" in turn["reply"]["text"]
    return turn["intent"]["name"] == "check_stock" and entities == {("item", "CR-2002")} \
        and "连杆库存" in turn["reply"]["text"]


def test_concurrent_turns_of_one_device_each_get_their_own_answer(fresh: Stack) -> None:
    texts = [TRANSFER if i % 2 == 0 else QUERY for i in range(2 * ROUNDS)]
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        answers = list(pool.map(lambda text: fresh.turn("HMD-01", text), texts))
    wrong = [(text, turn["intent"], turn["reply"]["text"]) for text, turn in zip(texts, answers, strict=True)
             if not _own(turn, text)]
    assert wrong == []
    assert len({turn["turn_id"] for turn in answers}) == len(texts)  # none dropped, none merged


def _channel(stack: Stack, secret: str | None, body: dict[str, Any]) -> httpx.Response:
    headers = {"X-Frontline-Secret": secret} if secret is not None else {}
    return httpx.post(f"{stack.rasa_url}/webhooks/frontline/webhook", json=body, headers=headers, timeout=30)


def test_the_channel_returns_the_state_of_the_same_exchange(fresh: Stack) -> None:
    """Even two app processes posting for one device at once get each their own exchange's state back."""
    secret = fresh.settings.rasa_channel_secret()
    metadata = {"device": "HMD-02", "site": "DG", "lang": "zh", "turn_id": "t"}
    words = [f"{TRANSFER}" if i % 2 == 0 else QUERY for i in range(2 * ROUNDS)]

    def send(text: str) -> dict[str, Any]:
        response = _channel(fresh, secret, {"sender": "HMD-02", "message": text, "metadata": metadata})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    with ThreadPoolExecutor(max_workers=len(words)) as pool:
        answers = list(pool.map(send, words))
    assert [a["tracker"]["latest_message"]["text"] for a in answers] == words
