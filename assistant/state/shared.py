"""The state every app process shares, in Redis: per-device values as keys with lifetimes, the turn lock as a Redis
lock per device (with a lifetime, so a process that dies mid-turn frees it), the turn rate as a token bucket in one
Lua script (read, refill and take in one step, on Redis's clock), pushes over one pub/sub channel."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import structlog
from pydantic import JsonValue
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import LockError, RedisError

from assistant.state.base import Deliver, DeviceBusy, StateUnavailable

log = structlog.get_logger(__name__)

IDLE_TTL_S = 12 * 3600.0  # a value given no lifetime: kept for a shift after its last write, not for ever


class RedisState:
    """`prefix` keeps one installation's keys apart from another's on the same Redis."""

    def __init__(self, redis: Redis, prefix: str, *, lock_ttl_s: float = 60.0, lock_wait_s: float = 30.0,
                 idle_ttl_s: float = IDLE_TTL_S) -> None:
        self._redis, self._prefix = redis, prefix
        self._lock_ttl_s, self._lock_wait_s, self._idle_ttl_s = lock_ttl_s, lock_wait_s, idle_ttl_s
        # Within this process turns of a device queue here first (FIFO: arrival order), so only one of them at a
        # time polls Redis for the shared lock.
        self._local: dict[str, asyncio.Lock] = {}

    def _key(self, device: str, name: str) -> str:
        return f"{self._prefix}:device:{device}:{name}"

    def turn(self, device: str) -> AbstractAsyncContextManager[None]:
        return self._turn(device)

    @asynccontextmanager
    async def _turn(self, device: str) -> AsyncIterator[None]:
        started = time.monotonic()
        local = self._local.setdefault(device, asyncio.Lock())
        try:
            await asyncio.wait_for(local.acquire(), timeout=self._lock_wait_s)
        except TimeoutError:
            raise DeviceBusy(device, time.monotonic() - started) from None
        try:
            lock = self._redis.lock(self._key(device, "turn"), timeout=self._lock_ttl_s, sleep=0.02,
                                    thread_local=False)  # a Lock per turn; coroutines share a thread
            remaining = max(0.0, self._lock_wait_s - (time.monotonic() - started))
            try:
                acquired = await lock.acquire(blocking_timeout=remaining)
            except RedisError as error:
                raise StateUnavailable(type(error).__name__) from error
            if not acquired:
                raise DeviceBusy(device, time.monotonic() - started)
            try:
                yield
            finally:
                try:
                    await lock.release()
                except LockError:  # held past its lifetime: another turn may already have it
                    log.warning("turn-lock-expired", device=device, ttl_s=self._lock_ttl_s)
                except RedisError as error:  # it expires by itself
                    log.warning("turn-lock-release-failed", device=device, error=type(error).__name__)
        finally:
            local.release()

    async def put(self, device: str, name: str, value: JsonValue, ttl_s: float | None = None) -> None:
        ttl_ms = max(1, round((ttl_s if ttl_s is not None else self._idle_ttl_s) * 1000))
        try:
            await self._redis.set(self._key(device, name), json.dumps(value, ensure_ascii=False), px=ttl_ms)
        except RedisError as error:
            raise StateUnavailable(type(error).__name__) from error

    async def get(self, device: str, name: str) -> JsonValue | None:
        try:
            raw = await self._redis.get(self._key(device, name))
        except RedisError as error:
            raise StateUnavailable(type(error).__name__) from error
        return None if raw is None else _loads(raw)

    async def pop(self, device: str, name: str) -> JsonValue | None:
        try:
            raw = await self._redis.getdel(self._key(device, name))  # one step: exactly one caller gets it
        except RedisError as error:
            raise StateUnavailable(type(error).__name__) from error
        return None if raw is None else _loads(raw)


def _loads(raw: bytes | str) -> JsonValue:
    value: JsonValue = json.loads(raw)
    return value


# KEYS[1]: the device's bucket; ARGV: refill per second, burst. Returns 0 (taken) or the whole seconds to wait.
# Redis's own clock, so processes on machines whose clocks disagree still share one bucket correctly.
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or burst
local at = tonumber(stored[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
"""


class RedisTurnRate:
    """The token bucket of `MemoryTurnRate`, shared: a bucket per device in a Redis hash, forgotten once full."""

    def __init__(self, redis: Redis, prefix: str, per_second: float, burst: int) -> None:
        self.per_second, self.burst = per_second, burst
        self._redis, self._prefix = redis, prefix
        self._script = redis.register_script(_TAKE)

    async def take(self, device: str) -> int | None:
        """A store that does not answer lets the turn through: the turn itself then finds the store down and says
        so in words (state-unavailable), rather than every edge handling it twice."""
        try:
            wait = int(await self._script(keys=[f"{self._prefix}:rate:{device}"],
                                          args=[repr(self.per_second), self.burst]))
        except RedisError as error:
            log.warning("turn-rate-unavailable", device=device, error=type(error).__name__)
            return None
        return wait or None


class RedisPushBus:
    """One channel for every device: each process gets every push and delivers those for the sockets it holds.
    Pushes are few (AGV progress, approvals, alerts), so one subscription per process beats one per socket."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self.channel = f"{prefix}:push"
        self._task: asyncio.Task[None] | None = None

    async def start(self, deliver: Deliver) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)  # subscribed before returning: nothing published later is missed
        self._task = asyncio.create_task(self._listen(pubsub, deliver), name="push-bus")

    async def _listen(self, pubsub: PubSub, deliver: Deliver) -> None:
        try:
            while True:
                try:
                    message = await pubsub.get_message(timeout=5.0)
                except RedisError as error:  # redis-py reconnects and subscribes again on the next read
                    log.warning("push-bus-disconnected", error=type(error).__name__)
                    await asyncio.sleep(1.0)
                    continue
                if message is None or message.get("type") != "message":
                    continue
                try:
                    sent = json.loads(message["data"])
                    await deliver(str(sent["device"]), sent["body"])
                except Exception:  # one bad message or socket must not stop the others
                    log.exception("push-bus-delivery-failed")
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def publish(self, device: str, body: Any) -> None:
        try:
            await self._redis.publish(self.channel, json.dumps({"device": device, "body": body}, ensure_ascii=False))
        except RedisError as error:  # news is best effort, as a closing socket is: logged, the turn goes on
            log.warning("push-not-published", device=device, error=type(error).__name__)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
