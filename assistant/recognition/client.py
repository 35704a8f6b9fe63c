"""The app's side of the recognition pool: `RemoteSpeech` and `RemoteVision` have the public surface of
`SpeechService` and `VisionService`, so the headset socket, chat voice messages and photo turns do not know where
recognition runs.

One-shot work (a recording, a photo) is a job on the jobs stream; its answer comes back on a reply stream of its own,
waited for with a timeout. A live utterance is opened on the opens stream, taken by the first worker with a free
slot, then fed on a stream of its own that only that worker reads; every chunk's answer comes back in order on the
session's output stream. While waiting, the holder's heartbeat is watched: a worker gone mid-utterance fails that
utterance (`RecognitionInterrupted`), and the next one is opened afresh, on whichever worker takes it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from assistant.recognition.keys import Keys, redis_ms, stream_entries
from assistant.recognition.messages import (
    BadMessage,
    Caption,
    Chunk,
    Claimed,
    Close,
    Ended,
    Failed,
    Finish,
    JobAnswer,
    Message,
    OpenSession,
    ReadJob,
    TranscribeJob,
    Vocabulary,
    decode,
    transcript_of,
    vision_of,
)
from assistant.recognition.settings import PoolSettings
from assistant.state.build import redacted
from speech import AudioError, Final, Partial, RecognitionInterrupted, SpeechUnavailable, Transcript
from speech.audio import SAMPLE_RATE
from speech.errors import AudioCorrupt, AudioTooLarge, AudioTooLong, AudioUnsupported
from speech.lexicon import Names
from vision import VisionResult
from vision.correct import Names as VisionNames
from vision.errors import ImageCorrupt, ImageTooLarge, ImageUnsupported, ModelsMissing, VisionError, VisionInterrupted

log = structlog.get_logger(__name__)

JOBS_MAXLEN = 10_000  # approximate cap of the jobs and opens streams (answered entries are deleted anyway)
_POLL_S = 0.5  # a wait for an answer looks at the holder's heartbeat at least this often
_AUDIO_ERRORS: dict[str, type[AudioError]] = {cls.code: cls for cls in (
    AudioUnsupported, AudioCorrupt, AudioTooLarge, AudioTooLong)}
_VISION_ERRORS: dict[str, type[VisionError]] = {cls.code: cls for cls in (
    ImageUnsupported, ImageCorrupt, ImageTooLarge, ModelsMissing)}


class PoolUnavailable(RuntimeError):
    """The pool's Redis does not answer at start: an app configured for workers does not fall back to local models
    without saying so (it may not even have them)."""


async def open_pool(url: str, prefix: str, settings: PoolSettings | None = None) -> Pool:
    # Reads block at most a few seconds (see `_POLL_S`, `submit`), well inside the socket timeout.
    redis = Redis.from_url(url, socket_timeout=15.0, socket_connect_timeout=5.0, health_check_interval=30)
    try:
        await redis.ping()
    except RedisError as error:
        await redis.aclose()
        raise PoolUnavailable(f"the recognition pool at {redacted(url)} does not answer: "
                              f"{type(error).__name__}") from error
    log.info("recognition-pool", url=redacted(url), prefix=prefix)
    return Pool(redis, prefix, settings)


class Pool:
    """The connection to the pool, shared by the speech and the vision client."""

    def __init__(self, redis: Redis, prefix: str, settings: PoolSettings | None = None) -> None:
        self.redis, self.keys = redis, Keys(prefix)
        self.settings = settings or PoolSettings()
        self.origin = uuid.uuid4().hex[:10]  # this app process, in the vocabulary news it sends
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self) -> None:
        """Remember the app's event loop: vocabulary news may be announced from a worker thread."""
        self._loop = asyncio.get_running_loop()

    async def workers(self) -> list[str]:
        """The workers alive now (whose heartbeat has not run out)."""
        names = await self.redis.zrangebyscore(self.keys.roster, await redis_ms(self.redis), "+inf")
        return sorted(n.decode() if isinstance(n, bytes) else str(n) for n in names)

    async def is_alive(self, worker: str) -> bool:
        return bool(await self.redis.exists(self.keys.alive(worker)))

    async def submit(self, job: TranscribeJob | ReadJob) -> JobAnswer:
        """Queue a job and wait for its answer; `TimeoutError` when none came within the job timeout."""
        reply = self.keys.reply(job.request)
        await self.redis.xadd(self.keys.jobs, job.encode(), maxlen=JOBS_MAXLEN, approximate=True)  # type: ignore[arg-type]
        try:
            while (remaining := job.deadline - time.time()) > 0:
                # short blocks: the client's socket timeout stays well above them
                read = await self.redis.xread({reply: "0-0"}, count=1, block=max(1, round(min(remaining, 2.0) * 1000)))
                for _id, fields in stream_entries(read):
                    answer = decode(fields)
                    if isinstance(answer, JobAnswer):
                        return answer
        finally:
            await self.redis.delete(reply)
        raise TimeoutError(job.request)

    def announce_vocabulary(self) -> None:
        """Tell every worker the names changed; callable from any thread (never blocks the loop)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        coroutine = self._publish_vocabulary()
        if _in_loop(loop):
            task = loop.create_task(coroutine)
            task.add_done_callback(_log_failure)
        else:
            asyncio.run_coroutine_threadsafe(coroutine, loop)

    async def _publish_vocabulary(self) -> None:
        try:
            await self.redis.publish(self.keys.vocabulary, Vocabulary(self.origin).encode()[b"origin"])
        except RedisError as error:  # the workers re-read on their own timer too
            log.warning("recognition-vocabulary-news-lost", error=type(error).__name__)

    async def aclose(self) -> None:
        await self.redis.aclose()


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("recognition-vocabulary-news-failed", error=repr(task.exception()))


class RemoteSpeech:
    """`SpeechService`'s surface, recognised by the pool's workers."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def warm_up(self, languages: Sequence[str] | None = None) -> None:
        """The workers load their models; the app only learns its event loop (for vocabulary news)."""
        self._pool.bind()

    def use_vocabulary(self, vocabulary: Names) -> None:
        self._pool.announce_vocabulary()

    async def transcribe(self, audio: bytes, content_type: str | None = None, lang_hint: str | None = None,
                         site: str | None = None) -> Transcript:
        job = TranscribeJob(request=uuid.uuid4().hex, audio=audio, content_type=content_type, lang_hint=lang_hint,
                            site=site, deadline=time.time() + self._pool.settings.job_timeout_s)
        try:
            answer = await self._pool.submit(job)
        except (TimeoutError, RedisError, BadMessage) as error:
            log.warning("recognition-job-lost", kind="transcribe", request=job.request, error=type(error).__name__)
            raise RecognitionInterrupted(type(error).__name__) from error
        if answer.error is not None:
            if answer.error in _AUDIO_ERRORS:
                raise _AUDIO_ERRORS[answer.error](answer.detail or answer.error)
            if answer.error == "stt-unavailable":
                raise SpeechUnavailable(answer.detail or answer.error)
            raise RecognitionInterrupted(answer.detail or answer.error)
        return transcript_of(answer.result or "")

    def open_stream(self, lang: str | None, site: str | None, sample_rate: int = SAMPLE_RATE) -> RemoteStream:
        return RemoteStream(self._pool, lang, site, sample_rate)


class RemoteStream:
    """`StreamSession`'s surface: each utterance on one worker, the next perhaps on another."""

    def __init__(self, pool: Pool, language: str | None, site: str | None, sample_rate: int) -> None:
        self._pool, self._language, self._site, self._rate = pool, language, site, sample_rate
        self._session: str | None = None
        self._worker: str | None = None
        self._seq = 0
        self._read_from = "0-0"

    @property
    def worker(self) -> str | None:
        """The worker holding the current utterance (None between utterances, or before it answered)."""
        return self._worker

    async def accept(self, pcm: bytes) -> Partial | Final | None:
        if len(pcm) % 2:
            pcm = pcm[:-1]  # as StreamSession does: a chunk split mid-sample loses the odd byte, not the alignment
        if not pcm:
            return None
        answer = await self._ask(lambda seq: Chunk(seq, pcm))
        if isinstance(answer, Ended):
            return Final(transcript_of(answer.transcript))
        assert isinstance(answer, Caption)
        return None if answer.nothing else Partial(answer.text)

    async def finish(self) -> Transcript:
        answer = await self._ask(Finish)
        assert isinstance(answer, Ended)
        return transcript_of(answer.transcript)

    async def close(self) -> None:
        """The connection ends: free the worker's slot now rather than at its idle timeout."""
        if self._session is not None:
            await self._drop(tell_worker=True)

    # -- inside -------------------------------------------------------------------------------------------------
    async def _ask(self, make: Callable[[int], Message]) -> Caption | Ended:
        settings = self._pool.settings
        opened = self._session is None
        if opened:
            await self._open()
        assert self._session is not None
        self._seq += 1
        message = make(self._seq)
        try:
            await self._send(message)
            answer = await self._answer(self._seq, settings.answer_timeout_s,
                                        time.monotonic() + settings.open_timeout_s if opened else None)
        except (RecognitionInterrupted, RedisError, BadMessage) as error:
            log.warning("recognition-utterance-lost", session=self._session, worker=self._worker,
                        error=str(error) or type(error).__name__)
            await self._drop(tell_worker=True)
            raise RecognitionInterrupted(str(error) or type(error).__name__) from error
        if isinstance(answer, Failed):
            await self._drop(tell_worker=False)
            if answer.error in _AUDIO_ERRORS:
                raise _AUDIO_ERRORS[answer.error](answer.detail or answer.error)
            if answer.error == "stt-unavailable":
                raise SpeechUnavailable(answer.detail)
            raise RecognitionInterrupted(answer.error)
        if isinstance(answer, Ended):
            await self._drop(tell_worker=False)  # the worker forgot it already
        return answer

    async def _open(self) -> None:
        pool = self._pool
        self._session, self._worker, self._seq, self._read_from = uuid.uuid4().hex, None, 0, "0-0"
        opening = OpenSession(session=self._session, sample_rate=self._rate, language=self._language,
                              site=self._site, deadline=time.time() + pool.settings.open_timeout_s)
        try:
            await pool.redis.xadd(pool.keys.opens, opening.encode(), maxlen=JOBS_MAXLEN,  # type: ignore[arg-type]
                                  approximate=True)
        except RedisError as error:
            self._session = None
            raise RecognitionInterrupted(type(error).__name__) from error

    async def _send(self, message: Message) -> None:
        assert self._session is not None
        key, ttl = self._pool.keys.session_in(self._session), self._pool.settings.session_ttl_s
        async with self._pool.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(key, message.encode())  # type: ignore[arg-type]
            pipe.expire(key, round(ttl))
            await pipe.execute()

    async def _answer(self, seq: int, timeout_s: float, claim_by: float | None) -> Caption | Ended | Failed:
        """The answer to message `seq`, watching the holder's heartbeat while waiting. A new utterance must first be
        claimed by `claim_by`; the answer's own time starts then."""
        assert self._session is not None
        pool, out = self._pool, self._pool.keys.session_out(self._session)
        deadline = time.monotonic() + timeout_s
        while True:
            if self._worker is None and claim_by is not None:
                if time.monotonic() > claim_by:
                    raise RecognitionInterrupted("no worker free in time")
                deadline = time.monotonic() + timeout_s
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RecognitionInterrupted("no answer in time")
            read = await pool.redis.xread({out: self._read_from}, count=16,
                                          block=max(1, round(min(remaining, _POLL_S) * 1000)))
            for entry_id, fields in stream_entries(read):
                self._read_from = entry_id
                message = decode(fields)
                if isinstance(message, Claimed):
                    self._worker = message.worker
                elif isinstance(message, Failed) or (isinstance(message, Caption | Ended) and message.seq == seq):
                    return message  # a failure ends the utterance whichever message it answers
            if self._worker is not None and not await pool.is_alive(self._worker):
                raise RecognitionInterrupted(f"worker {self._worker} stopped answering")

    async def _drop(self, *, tell_worker: bool) -> None:
        session, self._session, self._worker = self._session, None, None
        if session is None:
            return
        keys = self._pool.keys
        try:
            if tell_worker:
                await self._pool.redis.xadd(keys.session_in(session), Close(self._seq + 1).encode())  # type: ignore[arg-type]
                await self._pool.redis.expire(keys.session_in(session), round(self._pool.settings.session_ttl_s))
            await self._pool.redis.delete(keys.session_out(session))
        except RedisError as error:  # the keys expire by themselves
            log.warning("recognition-session-cleanup-failed", session=session, error=type(error).__name__)


class RemoteVision:
    """`VisionService`'s surface, read by the pool's workers."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def start(self) -> None:
        self._pool.bind()

    def use_names(self, names: VisionNames) -> None:
        self._pool.announce_vocabulary()

    async def read(self, image: bytes, content_type: str | None) -> VisionResult:
        job = ReadJob(request=uuid.uuid4().hex, image=image, content_type=content_type,
                      deadline=time.time() + self._pool.settings.job_timeout_s)
        try:
            answer = await self._pool.submit(job)
        except (TimeoutError, RedisError, BadMessage) as error:
            log.warning("recognition-job-lost", kind="read", request=job.request, error=type(error).__name__)
            raise VisionInterrupted(type(error).__name__) from error
        if answer.error is not None:
            raise _VISION_ERRORS.get(answer.error, VisionInterrupted)(answer.detail or answer.error)
        return vision_of(answer.result or "")
