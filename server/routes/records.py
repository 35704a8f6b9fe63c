"""The turns on record, for the supervisors and managers of a site (the policies' `review` permission): one by id,
or a device's since a moment. Another site's turns do not exist for the caller."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from assistant.access import check
from assistant.journal import TurnRecord
from assistant.pipeline import TurnContext
from assistant.world.schema import Permission
from server.channels.turns import chat_device_owner, chat_device_site
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.schemas.errors import error_responses
from server.schemas.records import TurnRecordOut
from server.services import Services

router = APIRouter(prefix="/api/v1", tags=["turn record"])
_ERRORS = error_responses(401, 403, 404, 422)


def _may_review(services: Services, caller: TurnContext) -> None:
    if check(services.world, caller.worker, Permission.review) is not None:
        raise ApiError("turns-not-permitted", caller.language)


def _out(record: TurnRecord) -> TurnRecordOut:
    return TurnRecordOut.model_validate({**record.model_dump(mode="json"), "ts": record.ts.isoformat()})


@router.get("/turns/{turn_id}", response_model=TurnRecordOut, responses=_ERRORS)
async def get_turn(turn_id: str, caller: DeviceDep, services: ServicesDep) -> TurnRecordOut:
    _may_review(services, caller)
    record = await asyncio.to_thread(services.recorder.journal.get, turn_id)
    if record is None or record.site != caller.site:
        raise ApiError("turn-not-found", caller.language, {"turn": turn_id})
    return _out(record)


@router.get("/turns", response_model=list[TurnRecordOut], responses=_ERRORS)
async def list_turns(caller: DeviceDep, services: ServicesDep,
                     device: Annotated[str | None, Query(max_length=32)] = None,
                     since: Annotated[dt.datetime | None, Query(description="ISO 8601; without a zone: UTC")] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[TurnRecordOut]:
    _may_review(services, caller)
    if device is not None:
        owner = services.world.worker_for_device(device) or chat_device_owner(services.world, device)
        site = owner.site if owner is not None else chat_device_site(services.world, device)
        if site is None or site != caller.site:
            raise ApiError("unknown-device-code", caller.language, {"device": device})
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    records = await asyncio.to_thread(services.recorder.journal.recent, caller.site, device=device, since=since,
                                      limit=limit)
    return [_out(r) for r in records]
