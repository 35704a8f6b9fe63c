"""The turn pipeline on shared device state (Redis), Rasa replaced by a mock transport: two pipelines (two app
processes) run one device's turns one at a time and hand each other what the device said last; a turn that cannot
get its device, or finds Redis gone, is refused in words with nothing sent to the dialogue."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from assistant.language.reading import MessageReader
from assistant.pipeline import DialogueClient, TurnError, TurnPipeline
from assistant.state.shared import RedisState
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from tests.pipeline.test_turn_pipeline import CTX, SECRET, FakeRasa, _nothing_collected, _tracker
from tests.scale.conftest import new_prefix, redis_client

pytestmark = pytest.mark.redis


def _pipeline(rasa: FakeRasa, world: World, state: RedisState) -> TurnPipeline:
    client = DialogueClient(httpx.AsyncClient(base_url="http://rasa", transport=httpx.MockTransport(rasa)), SECRET)
    return TurnPipeline(client, MessageReader(MasterData(world), today=lambda: date(2026, 1, 1)),
                        _nothing_collected, 2000, state=state)


async def test_two_processes_take_one_devices_turns_in_turn_and_share_its_language(world: World) -> None:
    prefix = new_prefix()
    rasa = FakeRasa(_tracker({"requested_slot": "amount"}, "transfer_form"), intent="transfer_stock")
    async with redis_client(prefix) as one, redis_client(prefix) as two:
        first, second = _pipeline(rasa, world, RedisState(one, prefix)), _pipeline(rasa, world, RedisState(two, prefix))
        inside, most = 0, 0
        original = first._dialogue.exchange

        async def slow(*args: Any, **kwargs: Any) -> Any:
            nonlocal inside, most
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.05)
            inside -= 1
            return await original(*args, **kwargs)

        first._dialogue.exchange = slow  # type: ignore[method-assign]
        second._dialogue.exchange = slow  # type: ignore[method-assign]
        await asyncio.gather(*(p.run_text(CTX, "调拨曲轴到总装线B区") for p in (second, first, second, first)))
        assert most == 1
        rasa.tracker = _tracker({"requested_slot": "destination"}, "transfer_form")
        await first.run_text(CTX, "transfer five crankshafts")  # its last words: English, through one
        assert await second.awaiting(CTX.device) == "destination"  # the other knows what the conversation waits for
        tapped = await second.run_action(CTX, "cancel")
        assert tapped.reply.language == "en"  # and answers a tap in the language of those words


async def test_a_turn_that_cannot_get_its_device_is_refused_in_words(world: World) -> None:
    prefix = new_prefix()
    rasa = FakeRasa(_tracker())
    async with redis_client(prefix) as redis:
        assert await redis.lock(f"{prefix}:device:{CTX.device}:turn", timeout=5, thread_local=False).acquire()
        pipeline = _pipeline(rasa, world, RedisState(redis, prefix, lock_wait_s=0.2))
        with pytest.raises(TurnError) as busy:
            await pipeline.run_text(CTX, "调拨5件曲轴到总装线B区")
        assert busy.value.code == "device-busy" and busy.value.values == {"waited_s": 1}
        assert rasa.sent == []


async def test_redis_gone_is_a_turn_error_not_a_crash(world: World) -> None:
    rasa = FakeRasa(_tracker())
    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        pipeline = _pipeline(rasa, world, RedisState(gone, "x"))
        for turn in (pipeline.run_text(CTX, "调拨5件曲轴到总装线B区"), pipeline.run_action(CTX, "cancel")):
            with pytest.raises(TurnError) as down:
                await turn
            assert down.value.code == "state-unavailable"
        assert rasa.sent == []
    finally:
        await gone.aclose()
