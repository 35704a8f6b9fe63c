"""The recognition worker pool for real: Redis on loopback, `frontline recognition-worker` processes with the real
Whisper and OCR models, real recordings and photos. What comes back through the pool equals what this process
recognises itself; utterances spread over the workers; a worker killed mid-utterance costs that utterance a
`stt-worker-lost`, promptly, and the next utterance of the same stream is heard by the other worker."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import redis as sync_redis
from redis.asyncio import Redis

from assistant.recognition import Pool, PoolSettings, RemoteSpeech, RemoteStream, RemoteVision
from assistant.recognition.keys import GROUP, Keys
from assistant.recognition.messages import JobAnswer, TranscribeJob, decode
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from server.settings import REPO_ROOT, Settings
from speech import Final, Partial, RecognitionInterrupted, SpeechService, Transcript
from speech.audio import SAMPLE_RATE
from speech.audio import decode as decode_audio
from tests.scale.conftest import REDIS_URL, forget_prefix, new_prefix
from vision import VisionService

pytestmark = pytest.mark.redis
VOICE = REPO_ROOT / "tests" / "fixtures" / "voice"
NOTES = REPO_ROOT / "tests" / "fixtures" / "notes"
CHUNK = 3200  # 0.1 s of 16 kHz 16-bit PCM
# Short lifetimes so a lost worker is noticed within the test's patience; the same values for app and workers.
POOL = PoolSettings(heartbeat_s=0.5, heartbeat_ttl_s=1.5, claim_idle_s=1.0, drain_s=5.0)


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


def _settings(var_dir: Path, prefix: str) -> Settings:
    return Settings(var_dir=var_dir, models_dir=REPO_ROOT / "var" / "models", recognition_url=REDIS_URL,
                    recognition_prefix=prefix, recognition=POOL)


def _env(var_dir: Path, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    return {**env, "FRONTLINE_VAR_DIR": str(var_dir), "FRONTLINE_MODELS_DIR": str(REPO_ROOT / "var" / "models"),
            "FRONTLINE_RECOGNITION_URL": REDIS_URL, "FRONTLINE_RECOGNITION_PREFIX": prefix,
            "FRONTLINE_RECOGNITION": POOL.model_dump_json(), "PYTHONPATH": str(REPO_ROOT)}


def start_worker(name: str, var_dir: Path, prefix: str) -> Worker:
    log = var_dir / f"{name}.log"
    process = subprocess.Popen([sys.executable, "-m", "server", "recognition-worker", "--name", name],
                               env=_env(var_dir, prefix), cwd=REPO_ROOT, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    return Worker(name, process, log)


def wait_ready(workers: list[Worker], prefix: str, timeout_s: float = 240.0) -> None:
    """Until every worker heartbeats (it heartbeats once its models are loaded)."""
    client = sync_redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout_s
    try:
        for worker in workers:
            while not client.exists(Keys(prefix).alive(worker.name)):
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"worker {worker.name} did not start:\n{worker.log.read_text()[-3000:]}")
                time.sleep(0.2)
    finally:
        client.close()


def keep_two(workers: list[Worker], var_dir: Path, prefix: str) -> list[Worker]:
    """Two live workers: the dead ones of earlier tests replaced."""
    live = [w for w in workers if w.process.poll() is None]
    fresh = [start_worker(f"w{len(workers) + i + 1}", var_dir, prefix) for i in range(2 - len(live))]
    workers.extend(fresh)
    wait_ready(fresh, prefix)
    return live + fresh


def holder_of_one_utterance(prefix: str, timeout_s: float = 5.0) -> str:
    """The worker whose heartbeat says it holds an utterance."""
    client = sync_redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for key in client.scan_iter(match=Keys(prefix).alive_pattern):
                state = client.get(key)
                if state and json.loads(state)["sessions"] >= 1:
                    return key.decode().rsplit(":", 1)[1]
            time.sleep(0.1)
    finally:
        client.close()
    pytest.fail("no worker holds the utterance")


def stop(worker: Worker) -> None:
    if worker.process.poll() is None:
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


@pytest.fixture(scope="module")
def prefix() -> Iterator[str]:
    name = new_prefix()
    yield name
    forget_prefix(name)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("recognition")


@pytest.fixture(scope="module")
def workers(var_dir: Path, prefix: str) -> Iterator[list[Worker]]:
    """Two workers on one pool (module-wide: each loads Whisper and OCR once)."""
    started = [start_worker(name, var_dir, prefix) for name in ("w1", "w2")]
    try:
        wait_ready(started, prefix)
        yield started
    finally:
        for worker in started:
            stop(worker)


@pytest.fixture(scope="module")
def master() -> MasterData:
    return MasterData(load_world(Settings().world_path))


@pytest.fixture(scope="module")
def local_speech(var_dir: Path, prefix: str, master: MasterData) -> SpeechService:
    """Recognition in this process, with the settings and names the workers have: the reference."""
    return SpeechService(_settings(var_dir, prefix).effective_speech, master.vocabulary)


@asynccontextmanager
async def pool_of(prefix: str) -> AsyncIterator[Pool]:
    """The app's connection to the pool (per test: each test has its own event loop)."""
    connected = Pool(Redis.from_url(REDIS_URL, socket_timeout=15), prefix, POOL)
    connected.bind()
    try:
        yield connected
    finally:
        await connected.aclose()


def pcm_of(name: str, silence_s: float = 0.0) -> bytes:
    audio = decode_audio((VOICE / name).read_bytes())
    audio = np.concatenate([audio, np.zeros(int(silence_s * SAMPLE_RATE), dtype=np.int16)])
    return audio.astype("<i2").tobytes()


async def stream_through(stream: object, pcm: bytes, pace_s: float = 0.0) -> tuple[list[str], Transcript]:
    """Every chunk answered; the final by the VAD, else at release. `pace_s` between chunks: a caption is decoded
    in the background while audio keeps coming, so a stream fed all at once may end before any caption is done."""
    captions: list[str] = []
    for start in range(0, len(pcm), CHUNK):
        await asyncio.sleep(pace_s)
        event = await stream.accept(pcm[start:start + CHUNK])  # type: ignore[attr-defined]
        if isinstance(event, Final):
            return captions, event.transcript
        assert isinstance(event, Partial), event
        captions.append(event.text)
    return captions, await stream.finish()  # type: ignore[attr-defined]


def same(a: Transcript, b: Transcript) -> None:
    assert (a.raw, a.corrected, a.language, a.engine, a.no_speech) == (b.raw, b.corrected, b.language, b.engine,
                                                                       b.no_speech)
    assert a.confidence == pytest.approx(b.confidence, abs=1e-3)


async def test_a_recording_through_the_pool_is_what_this_process_hears(
        workers: list[Worker], prefix: str, local_speech: SpeechService) -> None:
    async with pool_of(prefix) as pool:
        audio = (VOICE / "zh01.wav").read_bytes()
        remote = await RemoteSpeech(pool).transcribe(audio, "audio/wav", site="DG")
        local = await local_speech.transcribe(audio, "audio/wav", site="DG")
        same(remote, local)
        assert "曲轴" in remote.corrected


async def test_a_bad_recording_is_refused_with_its_reason(workers: list[Worker], prefix: str) -> None:
    async with pool_of(prefix) as pool:
        from speech import AudioError

        with pytest.raises(AudioError) as refused:
            await RemoteSpeech(pool).transcribe(b"RIFF\x00\x00 not audio at all", "audio/wav")
        assert refused.value.code in ("audio-unsupported", "audio-corrupt")


async def test_a_live_stream_gives_captions_then_the_final_this_process_gives(
        workers: list[Worker], prefix: str, local_speech: SpeechService) -> None:
    async with pool_of(prefix) as pool:
        pcm = pcm_of("zh01.wav", silence_s=1.0)
        captions, remote = await stream_through(RemoteSpeech(pool).open_stream("zh", "DG"), pcm, pace_s=0.1)
        _, local = await stream_through(local_speech.open_stream("zh", "DG"), pcm)
        assert any(captions), "captions while speaking"
        same(remote, local)
        assert "曲轴" in remote.corrected and "总装二线" in remote.corrected


async def test_release_ends_the_utterance_and_the_stream_goes_on(
        workers: list[Worker], prefix: str, local_speech: SpeechService) -> None:
    async with pool_of(prefix) as pool:
        stream = RemoteSpeech(pool).open_stream("en", "DG")
        pcm = pcm_of("en02.wav")
        _, first = await stream_through(stream, pcm)
        _, local = await stream_through(local_speech.open_stream("en", "DG"), pcm)
        same(first, local)
        _, second = await stream_through(stream, pcm_of("zh01.wav", silence_s=1.0))  # the next utterance, same stream
        assert "曲轴" in second.corrected or second.language == "en"  # heard (in the stream's language)


async def test_utterances_spread_over_the_workers(workers: list[Worker], prefix: str) -> None:
    """Four utterances at once on two workers of two slots each: each worker holds two."""
    async with pool_of(prefix) as pool:
        speech = RemoteSpeech(pool)
        streams = [speech.open_stream("zh", "DG") for _ in range(4)]
        first = pcm_of("zh01.wav")[:CHUNK]
        await asyncio.gather(*(s.accept(first) for s in streams))
        holders = [s.worker for s in streams]
        assert sorted(holders) == ["w1", "w1", "w2", "w2"], holders  # type: ignore[type-var]
        await asyncio.gather(*(s.close() for s in streams))


async def test_a_photo_is_read_through_the_pool(workers: list[Worker], var_dir: Path, prefix: str,
                                                master: MasterData) -> None:
    async with pool_of(prefix) as pool:
        image = (NOTES / "nd01.png").read_bytes()
        remote = await RemoteVision(pool).read(image, "image/png")
        local_vision = VisionService(master.vocabulary, REPO_ROOT / "var" / "models" / "ocr",
                                     settings=_settings(var_dir, prefix).vision)
        local = await local_vision.read(image, "image/png")
        assert remote.text_for_nlu and remote.text_for_nlu == local.text_for_nlu
        assert remote.ocr_lines == local.ocr_lines and remote.codes == local.codes


async def test_a_job_left_by_a_dead_worker_is_taken_over(workers: list[Worker], prefix: str) -> None:
    """A consumer of the group reads a job and dies without answering: a live worker takes it once it is idle."""
    async with pool_of(prefix) as pool:
        keys = pool.keys
        job = TranscribeJob("orphan-" + os.urandom(4).hex(), (VOICE / "en02.wav").read_bytes(), time.time() + 60,
                            content_type="audio/wav", site="DG")
        # The workers are paused until their blocking reads have timed out on the server (else Redis hands the new
        # entry to a read still waiting there), so that the ghost is the one that reads the job.
        for worker in workers:
            worker.process.send_signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(1.3)
            await pool.redis.xadd(keys.jobs, job.encode())  # type: ignore[arg-type]
            taken = await pool.redis.xreadgroup(GROUP, "ghost", {keys.jobs: ">"}, count=1)
        finally:
            for worker in workers:
                worker.process.send_signal(signal.SIGCONT)
        assert taken, "the ghost holds the job"
        started = time.monotonic()
        read = await pool.redis.xread({keys.reply(job.request): "0-0"}, block=20_000)
        assert read, "answered"
        answer = decode(read[0][1][0][1])
        assert isinstance(answer, JobAnswer) and answer.error is None and answer.result
        assert time.monotonic() - started >= POOL.claim_idle_s * 0.5  # only once it sat idle, not at once
        await pool.redis.delete(keys.reply(job.request))


async def test_a_worker_killed_mid_utterance_costs_that_utterance_only(
        workers: list[Worker], prefix: str, var_dir: Path, local_speech: SpeechService) -> None:
    workers = keep_two(workers, var_dir, prefix)
    async with pool_of(prefix) as pool:
        stream = RemoteSpeech(pool).open_stream("zh", "DG")
        pcm = pcm_of("zh01.wav", silence_s=1.0)
        assert isinstance(stream, RemoteStream)
        for start in range(0, 10 * CHUNK, CHUNK):  # a second of speech: pinned to a worker, captions coming
            assert isinstance(await stream.accept(pcm[start:start + CHUNK]), Partial)
        holder = next(w for w in workers if w.name == stream.worker)
        holder.process.send_signal(signal.SIGKILL)
        holder.process.wait()
        started = time.monotonic()
        with pytest.raises(RecognitionInterrupted):
            for start in range(10 * CHUNK, len(pcm), CHUNK):
                await stream.accept(pcm[start:start + CHUNK])
        lost_after = time.monotonic() - started
        assert lost_after < POOL.heartbeat_ttl_s + 2.0, lost_after
        # The next utterance of the same stream: another worker, heard in full.
        _, again = await stream_through(stream, pcm)
        _, local = await stream_through(local_speech.open_stream("zh", "DG"), pcm)
        same(again, local)
        survivor = next(w for w in workers if w is not holder)
        assert survivor.process.poll() is None


async def test_a_worker_stopped_mid_utterance_finishes_it_then_leaves(
        workers: list[Worker], prefix: str, var_dir: Path, local_speech: SpeechService) -> None:
    """SIGTERM (systemd's stop): the utterance in hand is heard to its end, nothing new is taken, the worker exits;
    the other takes the next utterance."""
    workers = keep_two(workers, var_dir, prefix)
    async with pool_of(prefix) as pool:
        stream = RemoteSpeech(pool).open_stream("zh", "DG")
        assert isinstance(stream, RemoteStream)
        pcm = pcm_of("zh01.wav", silence_s=1.0)
        await stream.accept(pcm[:CHUNK])
        holder = next(w for w in workers if w.name == stream.worker)
        holder.process.send_signal(signal.SIGTERM)
        _, heard = await stream_through(stream, pcm[CHUNK:])
        _, local = await stream_through(local_speech.open_stream("zh", "DG"), pcm)
        same(heard, local)
        assert holder.process.wait(timeout=POOL.drain_s + 5) == 0
        await stream.accept(pcm[:CHUNK])
        assert stream.worker not in (None, holder.name)
        await stream.close()


def test_the_headset_socket_in_pool_mode_says_a_lost_utterance_and_goes_on(
        workers: list[Worker], prefix: str, var_dir: Path, tmp_path: Path) -> None:
    """The app with FRONTLINE_RECOGNITION_URL: the headset's words are heard by the workers; the holder killed
    mid-utterance → `stt-worker-lost` in the socket's language within seconds, the socket stays open, the next
    utterance is heard by the other worker. (No Rasa here: the turn after each transcript ends in nlu-unavailable,
    which is not what this test is about.)"""
    from websockets.sync.client import connect

    from server.app import create_app
    from tests.support import free_port, issue, serve

    live = keep_two(workers, var_dir, prefix)
    port = free_port()
    settings = Settings(var_dir=tmp_path, port=port, secret="recognition-pool-secret", start_rasa=False,
                        rasa_url=f"http://127.0.0.1:{free_port()}", mqtt_url="mqtt://127.0.0.1:1883",
                        fleet={"base_topic": f"frontline-recognition-{uuid.uuid4().hex[:8]}/uagv/v2"},
                        recognition_url=REDIS_URL, recognition_prefix=prefix, recognition=POOL)
    pcm = pcm_of("zh01.wav", silence_s=1.0)
    with serve(create_app(settings), port) as url:
        import httpx

        health = httpx.get(f"{url}/health", timeout=10).json()
        assert health["recognition_workers"] == 2, health
        ws_url = url.replace("http://", "ws://") + f"/ws/headset?token={issue(settings, 'HMD-01')}"
        with connect(ws_url, open_timeout=10, close_timeout=5) as ws:
            ws.send(json.dumps({"config": {"sample_rate": 16000, "language": "zh"}}))
            for start in range(0, 8 * CHUNK, CHUNK):
                ws.send(pcm[start:start + CHUNK])
                assert "partial" in json.loads(ws.recv(timeout=30))
            holder = next(w for w in live if w.name == holder_of_one_utterance(prefix))
            holder.process.send_signal(signal.SIGKILL)
            holder.process.wait()
            killed = time.monotonic()
            ws.send(pcm[8 * CHUNK:9 * CHUNK])
            lost = json.loads(ws.recv(timeout=30))
            assert lost["error"]["code"] == "stt-worker-lost", lost
            assert lost["error"]["message"] == "识别中断了，请再说一遍。"
            assert time.monotonic() - killed < POOL.heartbeat_ttl_s + 2.0
            ws.send(json.dumps({"eof": 1}))  # released: the lost utterance was answered already
            assert json.loads(ws.recv(timeout=30))["text"] == ""
            # the next utterance, same socket: heard by the other worker
            heard = None
            for start in range(0, len(pcm), CHUNK):
                ws.send(pcm[start:start + CHUNK])
                message = json.loads(ws.recv(timeout=60))
                if "text" in message:
                    heard = message
                    break
            if heard is None:
                ws.send(json.dumps({"eof": 1}))
                heard = json.loads(ws.recv(timeout=60))
            assert "曲轴" in heard["text"] and "总装二线" in heard["text"], heard
            after = json.loads(ws.recv(timeout=60))  # the turn: no Rasa in this test
            assert after["error"]["code"] == "nlu-unavailable", after
