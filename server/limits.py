"""What one caller may send: bodies up to a size (413 before they are read in full). Turns per device per second
(a token bucket: 429 with Retry-After) are the device state's (`assistant.state`: `MemoryTurnRate`, or
`RedisTurnRate` shared by every app process). A burst from one device is answered, never a 5xx."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import request_language
from server.render.errors import error_out


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
