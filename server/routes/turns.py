"""POST /api/v1/turns: one thing a person said, typed, spoke or photographed, or a button they tapped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from assistant.pipeline import TurnContext, TurnError, TurnResult
from assistant.pipeline.audio import run_audio
from assistant.pipeline.image import run_image
from assistant.pipeline.record import RawInput
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.render.errors import status_of, turn_error_out
from server.render.turn import turn_out
from server.schemas.errors import ErrorOut
from server.schemas.turns import TextTurn, TurnOut, UploadTurn
from server.services import Services

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/api/v1", tags=["turns"])

# The endpoint reads its body by content type (JSON words or a button; a multipart form with a recording or a
# photo), so OpenAPI is told both shapes here; the schemas are registered by `server.openapi`.
REQUEST_MODELS = (TextTurn, UploadTurn)
_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/TextTurn"}},
    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/UploadTurn"}},
}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or invalid device token"},
    413: {"model": ErrorOut, "description": "text, file or recording too large"},
    415: {"model": ErrorOut, "description": "not audio or an image we can read"},
    422: {"model": ErrorOut, "description": "empty or malformed"},
    429: {"model": ErrorOut, "description": "too many turns from this device (see Retry-After)"},
    503: {"model": ErrorOut, "description": "the NLU (Rasa) or a model is not available"},
}


@dataclass
class _Arrived:
    raw: RawInput = field(default_factory=lambda: RawInput("text"))


async def _upload(part: UploadFile, limit: int) -> bytes:
    data = await part.read(limit + 1)
    if len(data) > limit:
        raise TurnError("input-too-large", "input", {"max_mb": limit // 2**20})
    return data


async def _multipart_turn(request: Request, device: TurnContext, services: Services, arrived: _Arrived
                          ) -> TurnResult:
    form = await request.form()
    text = form.get("text")
    text = text if isinstance(text, str) else ""
    arrived.raw = RawInput("text", text=text or None)
    image = form.get("image")
    if isinstance(image, UploadFile):
        arrived.raw = RawInput("image", text=text or None, content_type=image.content_type)
        data = await _upload(image, services.settings.max_upload_bytes)
        arrived.raw = RawInput("image", text=text or None, data=data, content_type=image.content_type)
        return await run_image(services.pipeline, services.vision, services.code_matcher(), device, data,
                               image.content_type, text)
    audio = form.get("audio")
    if isinstance(audio, UploadFile):
        arrived.raw = RawInput("audio", content_type=audio.content_type)
        data = await _upload(audio, services.settings.max_upload_bytes)
        arrived.raw = RawInput("audio", data=data, content_type=audio.content_type)
        return await run_audio(services.pipeline, services.speech, device, data, audio.content_type)
    return await services.pipeline.run_text(device, text)


async def _json_turn(request: Request) -> TextTurn:
    try:
        return TextTurn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise TurnError("input-malformed", "input") from exc


async def _turn(request: Request, device: TurnContext, services: Services, arrived: _Arrived) -> TurnResult:
    """Run the turn; `arrived` follows what came in, for the record (also of an input refused half-read)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _multipart_turn(request, device, services, arrived)
    turn = await _json_turn(request)
    if turn.action is not None:
        arrived.raw = RawInput("action", text=turn.action)
        return await services.pipeline.run_action(device, turn.action, draft=turn.draft)
    arrived.raw = RawInput("text", text=turn.text or "")
    return await services.pipeline.run_text(device, turn.text or "")


@router.post("/turns", response_model=TurnOut, responses=_ERRORS, openapi_extra=_BODY,
             summary="One turn: words, a button, a recording or a photo")
async def post_turn(request: Request, device: DeviceDep, services: ServicesDep) -> Any:
    wait = await services.turn_rate.take(device.device)
    if wait is not None:  # not a turn: nothing was read, nothing is recorded
        log.info("turn-rate-limited", device=device.device, retry_after_s=wait)
        raise ApiError("too-many-turns", device.language, {"retry_after_s": wait},
                       headers={"Retry-After": str(wait)})
    arrived = _Arrived()
    try:
        turn = await _turn(request, device, services, arrived)
    except TurnError as error:
        await services.recorder.failed(device, "api", arrived.raw, error)
        return JSONResponse(turn_error_out(error, device.language).model_dump(exclude_none=True),
                            status_code=status_of(error))
    await services.recorder.answered(device, "api", arrived.raw, turn)
    return turn_out(turn, device, services.master.world)
