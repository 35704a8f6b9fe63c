"""Shared pieces for the scaling tests: Redis on loopback (FRONTLINE_TEST_REDIS to point elsewhere), each test under
a key prefix of its own so tests and engineers sharing the Redis never see each other's keys."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from websockets.sync.client import ClientConnection, connect

from assistant.state import DeviceState, MemoryState, MemoryTurnRate, TurnRate
from assistant.state.shared import RedisState, RedisTurnRate
from server.settings import Settings
from tests.ledger.conftest import PG_ADMIN
from tests.support import issue

REDIS_URL = os.environ.get("FRONTLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def new_prefix() -> str:
    return f"frontline-test-{uuid.uuid4().hex[:10]}"


def forget_prefix(prefix: str) -> None:
    """Delete every key under `prefix` (after apps that wrote through their own clients)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    finally:
        client.close()


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


@dataclass
class App:
    """One app process served on loopback, and a client of it."""

    url: str
    app: FastAPI
    client: httpx.Client
    tokens: dict[str, str]
    settings: Settings

    def headers(self, device: str) -> dict[str, str]:
        if device not in self.tokens:
            self.tokens[device] = issue(self.settings, device)
        return {"Authorization": f"Bearer {self.tokens[device]}"}

    def turn(self, device: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.post("/api/v1/turns", json=body, headers=self.headers(device))

    def said(self, device: str, text: str) -> dict[str, Any]:
        response = self.turn(device, {"text": text})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def events(self, device: str) -> ClientConnection:
        token = self.headers(device)["Authorization"].removeprefix("Bearer ")
        return connect(self.url.replace("http://", "ws://") + f"/ws/events?token={token}", open_timeout=10)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A PostgreSQL database of the module's own, shared by its app processes and Rasa servers."""
    name = f"frontline_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
