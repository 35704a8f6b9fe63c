"""POST /api/v1/turns: one thing a person said, typed, or (later) spoke or photographed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from starlette.datastructures import UploadFile

from assistant.pipeline.audio import run_audio
from assistant.pipeline.errors import TurnError
from assistant.pipeline.image import run_image
from assistant.pipeline.turn import ActionId, TurnContext, TurnResult
from server.deps import DeviceDep, ServicesDep
from server.services import Services

router = APIRouter(prefix="/api/v1", tags=["turns"])


class TextTurn(BaseModel):
    """Words, or a tapped button of the last reply (`actions`): {"action": "confirm"}. One of the two."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    action: ActionId | None = None

    @model_validator(mode="after")
    def _one_of_text_or_action(self) -> TextTurn:
        if (self.text is None) == (self.action is None):
            raise ValueError("give either text or action")
        return self


def _bad_request(code: str, zh: str, en: str, status: int = 422) -> TurnError:
    return TurnError(code, "input", status, zh, en)


async def _upload(part: UploadFile, limit: int) -> bytes:
    data = await part.read(limit + 1)
    if len(data) > limit:
        raise _bad_request("input-too-large", f"文件太大(最多{limit // 2**20} MB)。",
                           f"The file is too large (at most {limit // 2**20} MB).", 413)
    return data


async def _multipart_turn(request: Request, device: TurnContext, services: Services) -> TurnResult:
    form = await request.form()
    text = form.get("text")
    text = text if isinstance(text, str) else ""
    image = form.get("image")
    if isinstance(image, UploadFile):
        data = await _upload(image, services.settings.max_upload_bytes)
        return await run_image(services.pipeline, services.vision, device, data, image.content_type, text,
                               services.settings.today())
    audio = form.get("audio")
    if isinstance(audio, UploadFile):
        data = await _upload(audio, services.settings.max_upload_bytes)
        return await run_audio(services.pipeline, services.speech, device, data, audio.content_type)
    return await services.pipeline.run_text(device, text)


async def _json_turn(request: Request) -> TextTurn:
    body = await request.body()
    try:
        return TextTurn.model_validate_json(body)
    except ValidationError as exc:
        raise _bad_request("input-malformed",
                           "请求格式不对：需要JSON {\"text\": \"...\"} 或 {\"action\": \"confirm\"}。",
                           "Malformed request: expected JSON {\"text\": \"...\"} or "
                           "{\"action\": \"confirm\"}.") from exc


@router.post("/turns", response_model=TurnResult,
             responses={401: {"description": "missing or invalid device token"},
                        413: {"description": "text too long"}, 422: {"description": "empty or malformed"},
                        503: {"description": "the NLU (Rasa) is not available"}})
async def post_turn(request: Request, device: DeviceDep, services: ServicesDep) -> Any:
    try:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "multipart/form-data":
            return await _multipart_turn(request, device, services)
        turn = await _json_turn(request)
        if turn.action is not None:
            return await services.pipeline.run_action(device, turn.action)
        return await services.pipeline.run_text(device, turn.text or "")
    except TurnError as error:
        return JSONResponse(error.to_json(device.language), status_code=error.status)
