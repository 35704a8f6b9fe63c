"""Limits on the real stack: a burst of turns from one device is answered 200 or 429 (with Retry-After and the
words in the worker's language), never a 5xx, and writes at most what was answered; a body over the size limit is
refused 413 before it is read."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from assistant.state import MemoryTurnRate as TurnRate
from server.settings import Settings
from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa


@pytest.fixture
def strict(fresh: Stack) -> Iterator[Stack]:
    """The product's default rate for this test (the shared stack runs with a generous one)."""
    services = fresh.app.state.services
    generous = services.turn_rate
    defaults = Settings.model_fields
    services.turn_rate = TurnRate(per_second=defaults["turns_per_second"].default,
                                  burst=defaults["turn_burst"].default)
    yield fresh
    services.turn_rate = generous


def test_a_burst_from_one_device_gets_429_never_5xx(strict: Stack) -> None:
    token = strict.token("HMD-01")

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=strict.app_url, timeout=60, trust_env=False) as client:
            return await asyncio.gather(*(client.post("/api/v1/turns", json={"text": "曲轴还有多少"},
                                                      headers={"Authorization": f"Bearer {token}"})
                                          for _ in range(60)))

    answers = asyncio.run(burst())
    statuses = Counter(r.status_code for r in answers)
    assert set(statuses) <= {200, 429} and statuses[200] >= 20 and statuses[429] >= 1, statuses
    refused = next(r for r in answers if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "too-many-turns" and "太快" in refused.json()["error"]["message"]
    other = strict.turn("HMD-02", "曲轴还有多少")  # another device is not held up
    assert other["reply"]["text"]


def test_a_body_over_the_limit_is_refused_unread(fresh: Stack) -> None:
    too_big = fresh.settings.max_request_bytes + 1
    response = fresh.client.post("/api/v1/turns", content=b"\0" * too_big,
                                 headers={"Authorization": f"Bearer {fresh.token('HMD-01')}",
                                          "Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "input-too-large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(too_big // 2**20 + 2):
            yield b"\0" * 2**20

    response = fresh.client.post("/api/v1/turns", content=chunks(),
                                 headers={"Authorization": f"Bearer {fresh.token('HMD-01')}",
                                          "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "input-too-large"
