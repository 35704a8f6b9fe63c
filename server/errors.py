"""Every error the API answers, in one shape (`ErrorOut`: code + words in both languages, the caller's first),
whichever route or dependency raised it."""

from __future__ import annotations

from collections.abc import Mapping

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from assistant.catalogue import lang_of
from assistant.state import StateUnavailable
from server.render.errors import error_out, http_status

log = structlog.get_logger(__name__)


class ApiError(Exception):
    """A refusal a route or dependency answers with: a catalogue code, and the caller's language if known."""

    def __init__(self, code: str, lang: str | None = None, values: Mapping[str, str | int | float] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(code)
        self.code, self.lang, self.values, self.headers = code, lang, dict(values or {}), dict(headers or {})


def request_language(request: Request) -> str:
    """Before we know who is calling: English when the client prefers it, else Mandarin."""
    return lang_of("en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh")


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        body = error_out(exc.code, exc.lang or request_language(request), values=exc.values)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=http_status(exc.code),
                            headers=exc.headers)

    async def malformed(request: Request, exc: Exception) -> JSONResponse:
        body = error_out("input-malformed", request_language(request), stage="input")
        return JSONResponse(body.model_dump(exclude_none=True), status_code=422)

    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database-unavailable", path=request.url.path, error=type(exc).__name__)
        body = error_out("db-unavailable", request_language(request))
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503, headers={"Retry-After": "5"})

    async def state_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("state-unavailable", path=request.url.path, error=str(exc))
        body = error_out("state-unavailable", request_language(request))
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503, headers={"Retry-After": "5"})

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal-error", path=request.url.path, error=type(exc).__name__, exc_info=exc)
        body = error_out("internal-error", request_language(request))
        return JSONResponse(body.model_dump(exclude_none=True), status_code=500)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, malformed)
    # A database that went away (a restart, a cable): said in words, nothing half-written (one transaction each).
    app.add_exception_handler(OperationalError, database_down)
    app.add_exception_handler(InterfaceError, database_down)
    app.add_exception_handler(StateUnavailable, state_down)  # Redis gone under a scaled app: said likewise
    app.add_exception_handler(Exception, unexpected)  # never a stack trace or a bare "Internal Server Error"
