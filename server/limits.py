"""What one caller may send: bodies up to a size (413 before they are read in full), and turns per device per
second (a token bucket: 429 with Retry-After). A burst from one device is answered, never a 5xx."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import request_language
from server.render.errors import error_out

Clock = Callable[[], float]


class BodyTooLarge(Exception):
    """The request body went over the limit while it was read (no Content-Length, or a lying one)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.max_bytes = max_bytes


def too_large(max_bytes: int, lang: str) -> JSONResponse:
    body = error_out("input-too-large", lang, values={"max_mb": max(1, max_bytes // 2**20)})
    return JSONResponse(body.model_dump(exclude_none=True), status_code=413)


class BodyLimit:
    """ASGI middleware: a body whose Content-Length is over `max_bytes` is refused unread; one that grows past it
    while read raises `BodyTooLarge` inside the route (answered 413 by the error handlers)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await too_large(self.max_bytes, request_language(Request(scope)))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


def install_body_limit(app: FastAPI, max_bytes: int) -> None:
    async def body_too_large(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyTooLarge)
        return too_large(exc.max_bytes, request_language(request))

    app.add_exception_handler(BodyTooLarge, body_too_large)
    app.add_middleware(BodyLimit, max_bytes=max_bytes)


@dataclass
class _Bucket:
    tokens: float
    at: float


class TurnRate:
    """Per device: `burst` turns at once, refilled at `per_second`."""

    def __init__(self, per_second: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.per_second, self.burst, self._clock = per_second, burst, clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, device: str) -> int | None:
        """None when the device may take a turn now (and it is counted); else the whole seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(device) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        self._buckets[device] = bucket
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / self.per_second))
