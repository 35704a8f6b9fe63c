"""Shared pieces for the scaling tests: Redis on loopback (FRONTLINE_TEST_REDIS to point elsewhere), each test under
a key prefix of its own so tests and engineers sharing the Redis never see each other's keys."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from assistant.state import DeviceState, MemoryState, MemoryTurnRate, TurnRate
from assistant.state.shared import RedisState, RedisTurnRate

REDIS_URL = os.environ.get("FRONTLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def new_prefix() -> str:
    return f"frontline-test-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def redis_client(prefix: str) -> AsyncIterator[Redis]:
    """A client on the test Redis; every key under `prefix` is deleted afterwards."""
    redis = Redis.from_url(REDIS_URL)
    try:
        yield redis
    finally:
        async for key in redis.scan_iter(match=f"{prefix}:*"):
            await redis.delete(key)
        await redis.aclose()


@asynccontextmanager
async def device_state(kind: str, prefix: str, **lock: float) -> AsyncIterator[DeviceState]:
    if kind == "memory":
        yield MemoryState()
        return
    async with redis_client(prefix) as redis:
        yield RedisState(redis, prefix, **lock)


@asynccontextmanager
async def turn_rate(kind: str, prefix: str, per_second: float, burst: int) -> AsyncIterator[TurnRate]:
    if kind == "memory":
        yield MemoryTurnRate(per_second, burst)
        return
    async with redis_client(prefix) as redis:
        yield RedisTurnRate(redis, prefix, per_second, burst)
