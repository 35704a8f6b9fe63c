"""A recognition worker: the models loaded once, the site vocabularies built from the master data, then jobs and
live utterances served concurrently (blocking decodes in threads, as `SpeechService` and `VisionService` already
run them) until SIGTERM.

- Jobs (a recording, a photo) are read from the jobs stream as one consumer of the group, at most
  `jobs_per_worker` at a time. While one is in hand its pending entry is renewed every heartbeat (XCLAIM to itself),
  so only a job whose worker stopped renewing it — died — grows idle; any worker takes such a job over (XAUTOCLAIM)
  after `claim_idle_s`. Jobs are idempotent: at worst one is answered twice, and the caller takes the first answer.
- Utterances: an open is read from the opens stream only while a slot is free (`sessions_per_worker`), so the first
  free worker takes it. It is acknowledged at once — an utterance is never handed over: its audio so far lives only
  in its worker, and the app fails it (`stt-worker-lost`) when that worker's heartbeat stops.
- The heartbeat is a key with a short lifetime, refreshed every `heartbeat_s`.
- Vocabulary news (pub/sub) make the worker re-read the names (a customer registered in some app process)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from assistant.recognition.keys import GROUP, Keys, redis_ms, stream_entries
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
    decode,
    transcript_json,
    vision_json,
)
from assistant.recognition.settings import PoolSettings
from speech import AudioError, Final, Partial, SpeechService, SpeechUnavailable
from vision import VisionError, VisionService

log = structlog.get_logger(__name__)
_BLOCK_MS = 1000  # reads block at most this long, so a stop is noticed within a second


def _freeing(held: dict[str, asyncio.Task[None]], key: str, slots: asyncio.Semaphore
             ) -> Callable[[asyncio.Task[None]], None]:
    """A done-callback: the task's entry is forgotten and its slot is free again."""
    def done(_task: asyncio.Task[None]) -> None:
        held.pop(key, None)
        slots.release()
    return done


class RecognitionWorker:
    def __init__(self, redis: Redis, prefix: str, speech: SpeechService, vision: VisionService | None,
                 settings: PoolSettings | None = None, *, name: str | None = None,
                 refresh_names: Callable[[], None] | None = None) -> None:
        self.redis, self.keys = redis, Keys(prefix)
        self.speech, self.vision = speech, vision
        self.settings = settings or PoolSettings()
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"
        self._refresh_names = refresh_names
        self._stopping = asyncio.Event()  # take nothing new
        self._abandon = asyncio.Event()  # the drain is over: give up what is still in hand
        self._sessions: dict[str, asyncio.Task[None]] = {}
        self._jobs: dict[str, asyncio.Task[None]] = {}  # entry id → its task
        self.served = {"jobs": 0, "sessions": 0}

    # -- life ---------------------------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then drain: what is in hand gets `drain_s` to end."""
        await self._groups()
        await self._beat()
        loops = [asyncio.create_task(self._heartbeat(), name="heartbeat"),
                 asyncio.create_task(self._take_jobs(), name="jobs"),
                 asyncio.create_task(self._take_sessions(), name="sessions")]
        if self._refresh_names is not None:
            loops.append(asyncio.create_task(self._follow_vocabulary(self._refresh_names), name="vocabulary"))
        log.info("recognition-worker-ready", worker=self.name, sessions=self.settings.sessions_per_worker,
                 jobs=self.settings.jobs_per_worker, vision=self.vision is not None)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([stopped, *loops], return_when=asyncio.FIRST_COMPLETED)
        for task in loops:  # a loop that ended by itself failed: say so, and stop
            if task.done() and not task.cancelled():
                log.error("recognition-worker-failed", worker=self.name, loop=task.get_name(),
                          error=repr(task.exception()))
        await self._drain(loops)
        stopped.cancel()

    async def _drain(self, loops: list[asyncio.Task[None]]) -> None:
        self._stopping.set()
        in_hand = [*self._sessions.values(), *self._jobs.values()]
        log.info("recognition-worker-stopping", worker=self.name, sessions=len(self._sessions), jobs=len(self._jobs))
        if in_hand:
            await asyncio.wait(in_hand, timeout=self.settings.drain_s)
        self._abandon.set()  # sessions still open answer `stt-worker-lost` and end; jobs stay pending for others
        left_jobs = bool(self._jobs)
        for task in self._jobs.values():
            task.cancel()
        if self._sessions:
            await asyncio.wait(list(self._sessions.values()), timeout=2.0)
        for task in [*loops, *self._sessions.values()]:
            task.cancel()
        await asyncio.gather(*loops, *self._sessions.values(), *self._jobs.values(), return_exceptions=True)
        with contextlib.suppress(RedisError):
            await self.redis.delete(self.keys.alive(self.name))
            await self.redis.zrem(self.keys.roster, self.name)
            if not left_jobs:  # leave no consumer behind per restart (one with pending jobs stays: they are taken over)
                for stream in (self.keys.jobs, self.keys.opens):
                    await self.redis.xgroup_delconsumer(stream, GROUP, self.name)
        log.info("recognition-worker-stopped", worker=self.name, **self.served)

    async def _groups(self) -> None:
        for stream in (self.keys.jobs, self.keys.opens):
            try:
                await self.redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    async def _beat(self) -> None:
        state = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "sessions": len(self._sessions),
                            "jobs": len(self._jobs)})
        ttl_ms = round(self.settings.heartbeat_ttl_s * 1000)
        now = await redis_ms(self.redis)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.alive(self.name), state, px=ttl_ms)
            pipe.zadd(self.keys.roster, {self.name: now + ttl_ms})
            pipe.zremrangebyscore(self.keys.roster, "-inf", now - 3_600_000)  # the long dead leave the roster
            await pipe.execute()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_s)
            try:
                await self._beat()
                if self._jobs:  # renew the jobs in hand: only a dead worker's jobs grow idle enough to be taken
                    await self.redis.xclaim(self.keys.jobs, GROUP, self.name, min_idle_time=0,
                                            message_ids=list(self._jobs), justid=True)
            except RedisError as error:  # Redis away: the app sees no heartbeat and stops waiting on us
                log.warning("recognition-heartbeat-failed", worker=self.name, error=type(error).__name__)

    # -- jobs ---------------------------------------------------------------------------------------------------
    async def _take_jobs(self) -> None:
        slots = asyncio.Semaphore(self.settings.jobs_per_worker)
        while not self._stopping.is_set():
            await slots.acquire()
            if self._stopping.is_set():  # stopped while every slot was busy: take nothing new
                slots.release()
                return
            try:
                entries = await self._next_jobs()
            except RedisError as error:
                slots.release()
                log.warning("recognition-read-failed", worker=self.name, stream="jobs", error=type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            if not entries:
                slots.release()
                continue
            job_id, fields = entries[0]
            task = asyncio.create_task(self._job(job_id, fields), name=f"job-{job_id}")
            self._jobs[job_id] = task
            task.add_done_callback(_freeing(self._jobs, job_id, slots))

    async def _next_jobs(self) -> list[tuple[str, dict[Any, Any]]]:
        """A job a dead worker left (idle past `claim_idle_s`), else a new one."""
        claimed = await self.redis.xautoclaim(self.keys.jobs, GROUP, self.name,
                                              min_idle_time=round(self.settings.claim_idle_s * 1000),
                                              start_id="0-0", count=1)
        taken = stream_entries([(self.keys.jobs, claimed[1])])
        if taken:
            log.info("recognition-job-taken-over", worker=self.name, entry=taken[0][0])
            return taken
        read = await self.redis.xreadgroup(GROUP, self.name, {self.keys.jobs: ">"}, count=1, block=_BLOCK_MS)
        return stream_entries(read)

    async def _job(self, entry_id: str, fields: dict[Any, Any]) -> None:
        try:
            job = decode(fields)
        except BadMessage as error:
            log.warning("recognition-bad-job", worker=self.name, error=str(error))
            await self._done_job(entry_id)
            return
        if not isinstance(job, TranscribeJob | ReadJob):
            await self._done_job(entry_id)
            return
        if job.deadline < time.time():  # its caller has given up already
            await self._done_job(entry_id)
            return
        answer = await self._answer_job(job)
        reply = self.keys.reply(job.request)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(reply, answer.encode())  # type: ignore[arg-type]
            pipe.expire(reply, round(self.settings.job_timeout_s) + 1)
            await pipe.execute()
        await self._done_job(entry_id)
        self.served["jobs"] += 1

    async def _answer_job(self, job: TranscribeJob | ReadJob) -> JobAnswer:
        started = time.perf_counter()
        try:
            if isinstance(job, TranscribeJob):
                transcript = await self.speech.transcribe(job.audio, job.content_type, job.lang_hint, job.site)
                answer = JobAnswer(job.request, self.name, result=transcript_json(transcript))
            elif self.vision is None:
                answer = JobAnswer(job.request, self.name, error="vision-models-missing",
                                   detail="this worker reads no photos")
            else:
                result = await self.vision.read(job.image, job.content_type)
                answer = JobAnswer(job.request, self.name, result=vision_json(result))
        except (AudioError, VisionError) as error:
            answer = JobAnswer(job.request, self.name, error=error.code, detail=error.message)
        except SpeechUnavailable as error:
            answer = JobAnswer(job.request, self.name, error="stt-unavailable", detail=str(error))
        except Exception as error:  # a failing engine: answered, or the job would go from worker to worker
            log.exception("recognition-job-failed", worker=self.name, kind=job.TYPE, request=job.request)
            answer = JobAnswer(job.request, self.name, error="recognition-failed", detail=type(error).__name__)
        log.info("recognition-job", worker=self.name, kind=job.TYPE, request=job.request, error=answer.error,
                 ms=round((time.perf_counter() - started) * 1000, 1))
        return answer

    async def _done_job(self, entry_id: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xack(self.keys.jobs, GROUP, entry_id)
            pipe.xdel(self.keys.jobs, entry_id)  # the audio or photo is not kept in Redis once answered
            await pipe.execute()

    # -- live utterances ----------------------------------------------------------------------------------------
    async def _take_sessions(self) -> None:
        slots = asyncio.Semaphore(self.settings.sessions_per_worker)
        while not self._stopping.is_set():
            await slots.acquire()
            if self._stopping.is_set():
                slots.release()
                return
            try:
                read = await self.redis.xreadgroup(GROUP, self.name, {self.keys.opens: ">"}, count=1,
                                                   block=_BLOCK_MS)
                entries = stream_entries(read)
                for entry_id, _fields in entries:  # never handed over (see the module's note): acknowledged now
                    await self.redis.xack(self.keys.opens, GROUP, entry_id)
                    await self.redis.xdel(self.keys.opens, entry_id)
            except RedisError as error:
                slots.release()
                log.warning("recognition-read-failed", worker=self.name, stream="opens", error=type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            opening = None
            if entries:
                try:
                    message = decode(entries[0][1])
                    opening = message if isinstance(message, OpenSession) else None
                except BadMessage as error:
                    log.warning("recognition-bad-open", worker=self.name, error=str(error))
            if opening is None or opening.deadline < time.time():
                slots.release()
                continue
            task = asyncio.create_task(self._session(opening), name=f"session-{opening.session}")
            self._sessions[opening.session] = task
            task.add_done_callback(_freeing(self._sessions, opening.session, slots))

    async def _session(self, opening: OpenSession) -> None:
        keys, session = self.keys, opening.session
        stream = self.speech.open_stream(opening.language, opening.site, opening.sample_rate)
        seq = 0
        try:
            await self._say(session, Claimed(self.name))
            read_from = "0-0"
            idle_since = time.monotonic()
            while True:
                if self._abandon.is_set():
                    await self._say(session, Failed(seq + 1, "stt-worker-lost", "the worker is stopping"))
                    return
                read = await self.redis.xread({keys.session_in(session): read_from}, count=16, block=_BLOCK_MS)
                entries = stream_entries(read)
                if not entries:
                    if time.monotonic() - idle_since > self.settings.session_idle_s:
                        log.info("recognition-session-idle", worker=self.name, session=session)
                        return
                    continue
                idle_since = time.monotonic()
                for entry_id, fields in entries:
                    read_from = entry_id
                    message = decode(fields)
                    seq = getattr(message, "seq", seq)
                    if await self._utterance_step(session, stream, message):
                        return
        except (AudioError, SpeechUnavailable) as error:
            code = error.code if isinstance(error, AudioError) else "stt-unavailable"
            with contextlib.suppress(RedisError):
                await self._say(session, Failed(seq, code, str(error)))
        except (RedisError, BadMessage) as error:
            log.warning("recognition-session-failed", worker=self.name, session=session, error=repr(error))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a failing engine: the app is told now, not at its answer timeout
            log.exception("recognition-session-failed", worker=self.name, session=session)
            with contextlib.suppress(RedisError):
                await self._say(session, Failed(seq, "stt-worker-lost", type(error).__name__))
        finally:
            self.served["sessions"] += 1
            with contextlib.suppress(RedisError):
                await self.redis.delete(keys.session_in(session))

    async def _utterance_step(self, session: str, stream: Any, message: Message) -> bool:
        """Answer one message of the utterance; True when the utterance is over."""
        if isinstance(message, Chunk):
            event = await stream.accept(message.pcm)
            if isinstance(event, Final):
                await self._say(session, Ended(message.seq, transcript_json(event.transcript)))
                return True
            await self._say(session, Caption(message.seq, event.text if isinstance(event, Partial) else "",
                                             nothing=event is None))
            return False
        if isinstance(message, Finish):
            transcript = await stream.finish()
            await self._say(session, Ended(message.seq, transcript_json(transcript), by_finish=True))
            return True
        return isinstance(message, Close)

    async def _say(self, session: str, message: Message) -> None:
        out = self.keys.session_out(session)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(out, message.encode())  # type: ignore[arg-type]
            pipe.expire(out, round(self.settings.session_ttl_s))
            await pipe.execute()

    # -- names --------------------------------------------------------------------------------------------------
    async def _follow_vocabulary(self, refresh_names: Callable[[], None]) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.keys.vocabulary)
                    await asyncio.to_thread(refresh_names)  # news missed while not subscribed
                    while True:
                        news = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                        if news is not None:
                            await asyncio.to_thread(refresh_names)
                            log.info("recognition-names-refreshed", worker=self.name)
            except RedisError as error:
                log.warning("recognition-vocabulary-follow-failed", worker=self.name, error=type(error).__name__)
                await asyncio.sleep(1.0)
