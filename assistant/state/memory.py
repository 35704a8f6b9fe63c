"""The state of one process (the default, `make run`): dictionaries and asyncio locks, as the app always kept it."""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from pydantic import JsonValue

Clock = Callable[[], float]


class MemoryState:
    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[tuple[str, str], tuple[float | None, JsonValue]] = {}  # → (expires at, value)
        self._turns: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)  # FIFO: arrival order

    def turn(self, device: str) -> AbstractAsyncContextManager[None]:
        return self._turns[device]  # asyncio.Lock: an async context manager, FIFO

    async def put(self, device: str, name: str, value: JsonValue, ttl_s: float | None = None) -> None:
        self._values[device, name] = (None if ttl_s is None else self._clock() + ttl_s, value)

    async def get(self, device: str, name: str) -> JsonValue | None:
        stored = self._values.get((device, name))
        if stored is None:
            return None
        expires, value = stored
        if expires is not None and self._clock() > expires:
            del self._values[device, name]
            return None
        return value

    async def pop(self, device: str, name: str) -> JsonValue | None:
        value = await self.get(device, name)
        self._values.pop((device, name), None)
        return value


@dataclass
class _Bucket:
    tokens: float
    at: float


class MemoryTurnRate:
    """Per device: `burst` turns at once, refilled at `per_second`."""

    def __init__(self, per_second: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.per_second, self.burst, self._clock = per_second, burst, clock
        self._buckets: dict[str, _Bucket] = {}

    async def take(self, device: str) -> int | None:
        now = self._clock()
        bucket = self._buckets.get(device) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        self._buckets[device] = bucket
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / self.per_second))
