"""The pool's edges, fast: real Redis, a worker in this process around a stand-in recogniser (the real models are
in test_recognition_pool.py). No worker, a stuck worker, a job whose caller gave up, names changed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis

from assistant.recognition import Pool, PoolSettings, RecognitionWorker, RemoteSpeech, RemoteVision
from assistant.recognition.messages import TranscribeJob
from speech import Partial, RecognitionInterrupted, Transcript
from tests.scale.conftest import REDIS_URL, new_prefix, redis_client
from vision import VisionInterrupted

pytestmark = pytest.mark.redis
QUICK = PoolSettings(heartbeat_s=0.2, heartbeat_ttl_s=0.6, open_timeout_s=0.8, answer_timeout_s=0.8,
                     job_timeout_s=0.8, claim_idle_s=0.5, drain_s=0.5)
HEARD = Transcript("调拨", "调拨", "zh", 0.9, "stand-in", 1.0)


class StandIn:
    """Answers at once, or after `delay_s` (a stuck decode)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.transcribed = 0

    async def transcribe(self, audio: bytes, *_args: Any) -> Transcript:
        self.transcribed += 1
        await asyncio.sleep(self.delay_s)
        return HEARD

    def open_stream(self, *_args: Any) -> StandIn:
        return self

    async def accept(self, pcm: bytes) -> Partial:
        await asyncio.sleep(self.delay_s)
        return Partial("调")

    async def finish(self) -> Transcript:
        return HEARD


@asynccontextmanager
async def pool_and_worker(prefix: str, speech: StandIn | None, refresh: Any = None) -> AsyncIterator[Pool]:
    pool = Pool(Redis.from_url(REDIS_URL), prefix, QUICK)
    pool.bind()
    stop = asyncio.Event()
    task = None
    if speech is not None:
        worker = RecognitionWorker(Redis.from_url(REDIS_URL), prefix, speech, None, QUICK,  # type: ignore[arg-type]
                                   name="stand-in", refresh_names=refresh)
        task = asyncio.create_task(worker.run(stop))
        while not await pool.is_alive("stand-in"):
            await asyncio.sleep(0.05)
    try:
        yield pool
    finally:
        stop.set()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
            await worker.redis.aclose()
        await pool.aclose()


async def test_with_no_worker_every_request_is_given_up_in_words_in_time() -> None:
    prefix = new_prefix()
    async with redis_client(prefix), pool_and_worker(prefix, None) as pool:
        started = time.monotonic()
        with pytest.raises(RecognitionInterrupted):
            await RemoteSpeech(pool).open_stream("zh", "DG").accept(b"\x00\x00" * 1600)
        with pytest.raises(RecognitionInterrupted):
            await RemoteSpeech(pool).transcribe(b"RIFF", "audio/wav")
        with pytest.raises(VisionInterrupted) as lost:
            await RemoteVision(pool).read(b"\x89PNG", "image/png")
        assert lost.value.code == "ocr-worker-lost"
        assert time.monotonic() - started < 3 * 0.8 + 2.0


async def test_a_stuck_worker_fails_the_utterance_though_it_heartbeats() -> None:
    prefix = new_prefix()
    async with redis_client(prefix), pool_and_worker(prefix, StandIn(delay_s=3.0)) as pool:
        stream = RemoteSpeech(pool).open_stream("zh", "DG")
        started = time.monotonic()
        with pytest.raises(RecognitionInterrupted):
            await stream.accept(b"\x00\x00" * 1600)
        assert time.monotonic() - started < 2.5
        assert await pool.is_alive("stand-in")


async def test_a_live_worker_answers_and_frees_its_slot_on_close() -> None:
    prefix = new_prefix()
    async with redis_client(prefix), pool_and_worker(prefix, StandIn()) as pool:
        speech = RemoteSpeech(pool)
        for _ in range(3):  # more utterances than the worker's two slots, one after another: each slot comes back
            stream = speech.open_stream("zh", "DG")
            assert await stream.accept(b"\x00\x00" * 1600) == Partial("调")
            await stream.close()
        assert (await speech.transcribe(b"RIFF", "audio/wav")).corrected == "调拨"


async def test_a_job_its_caller_gave_up_is_dropped_unanswered() -> None:
    prefix = new_prefix()
    speech = StandIn()
    async with redis_client(prefix) as redis, pool_and_worker(prefix, speech) as pool:
        job = TranscribeJob("late", b"RIFF", time.time() - 1)
        await redis.xadd(pool.keys.jobs, job.encode())  # type: ignore[arg-type]
        await asyncio.sleep(1.0)
        assert speech.transcribed == 0
        assert not await redis.exists(pool.keys.reply("late"))
        assert await redis.xlen(pool.keys.jobs) == 0


async def test_changed_names_reach_the_workers() -> None:
    prefix = new_prefix()
    refreshed = asyncio.Event()
    loop = asyncio.get_running_loop()
    calls: list[float] = []

    def refresh() -> None:  # runs in a worker thread
        calls.append(time.monotonic())
        if len(calls) > 1:  # the first is the worker's own, on subscribing
            loop.call_soon_threadsafe(refreshed.set)

    async with redis_client(prefix), pool_and_worker(prefix, StandIn(), refresh) as pool:
        while not calls:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        RemoteSpeech(pool).use_vocabulary(object())  # type: ignore[arg-type]
        await asyncio.wait_for(refreshed.wait(), 5)


async def test_a_pool_that_does_not_answer_is_said_at_start_without_its_password() -> None:
    from assistant.recognition.client import PoolUnavailable, open_pool

    with pytest.raises(PoolUnavailable) as refused:
        await open_pool("redis://:hunter2@127.0.0.1:1/0", "frontline")
    assert "hunter2" not in str(refused.value) and ":***@127.0.0.1:1/0" in str(refused.value)


def test_the_worker_command_needs_the_pool_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from server.cli import app

    monkeypatch.delenv("FRONTLINE_RECOGNITION_URL", raising=False)
    result = CliRunner().invoke(app, ["recognition-worker"])
    assert result.exit_code == 2 and "FRONTLINE_RECOGNITION_URL" in result.output


async def test_the_roster_counts_live_workers_only() -> None:
    prefix = new_prefix()
    async with redis_client(prefix):
        async with pool_and_worker(prefix, StandIn()) as pool:
            assert await pool.workers() == ["stand-in"]
        async with pool_and_worker(prefix, None) as pool:
            assert await pool.workers() == []  # stopped: left the roster at once
            await pool.redis.zadd(pool.keys.roster, {"killed": 1})  # a heartbeat long run out
            assert await pool.workers() == []
