"""Readiness: the app, the database and the NLU must all answer, and the shared device state (Redis) when scaled."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from sqlalchemy import text

from server.deps import ServicesDep
from server.schemas.ledger import HealthOut
from server.services import Services

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(services: ServicesDep) -> JSONResponse:
    def database_ok() -> bool:
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver error means "not ready", reported below
            return False

    db_ok = await asyncio.to_thread(database_ok)
    rasa_status = await services.dialogue.status()
    nlu_ok = bool(rasa_status and rasa_status.get("model_file"))
    state_ok = await services.state.answers()  # None: kept in this process
    ready = db_ok and nlu_ok and state_ok is not False
    workers = await _recognition_workers(services)
    body = HealthOut(
        status="ok" if ready else "unavailable",
        database="ok" if db_ok else "unavailable",
        nlu="ok" if nlu_ok else "unavailable",
        state=None if state_ok is None else "ok" if state_ok else "unavailable",
        recognition_workers=workers,
        model=(rasa_status or {}).get("model_file"),
        world=[s.code for s in services.world.sites],
        not_ready=None if ready else [name for name, ok in (("database", db_ok), ("nlu", nlu_ok),
                                                            ("state", state_ok is not False)) if not ok],
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ready else 503)


async def _recognition_workers(services: Services) -> int | None:
    if services.recognition is None:
        return None
    try:
        return len(await services.recognition.workers())
    except RedisError:
        return 0
