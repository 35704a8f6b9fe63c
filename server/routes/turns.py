"""POST /api/v1/turns: one thing a person said, typed, or (later) spoke or photographed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from assistant.pipeline.errors import TurnError
from assistant.pipeline.turn import TurnResult
from server.deps import DeviceDep, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["turns"])


class TextTurn(BaseModel):
    text: str


def _bad_request(code: str, zh: str, en: str, status: int = 422) -> TurnError:
    return TurnError(code, "input", status, zh, en)


async def _text_of(request: Request) -> str:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        if "audio" in form or "image" in form:
            raise _bad_request("input-unsupported-media", "暂不支持语音和图片输入。",
                               "Audio and image input are not supported yet.", 415)
        text = form.get("text")
        return text if isinstance(text, str) else ""
    body = await request.body()
    try:
        return TextTurn.model_validate_json(body).text
    except ValidationError as exc:
        raise _bad_request("input-malformed", "请求格式不对：需要JSON {\"text\": \"...\"}。",
                           "Malformed request: expected JSON {\"text\": \"...\"}.") from exc


@router.post("/turns", response_model=TurnResult,
             responses={401: {"description": "missing or invalid device token"},
                        413: {"description": "text too long"}, 422: {"description": "empty or malformed"},
                        503: {"description": "the NLU (Rasa) is not available"}})
async def post_turn(request: Request, device: DeviceDep, services: ServicesDep) -> Any:
    try:
        text = await _text_of(request)
        return await services.pipeline.run_text(device, text)
    except TurnError as error:
        return JSONResponse(error.to_json(device.language), status_code=error.status)
