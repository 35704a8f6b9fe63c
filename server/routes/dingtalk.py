"""DingTalk's robot HTTP callback (`/channels/dingtalk/callback`): the `timestamp` and `sign` headers checked (an
hour at most, HMAC-SHA256 with the app secret), the message turned into a chat turn and answered through its
session webhook. A text turn is answered before the callback returns; a voice or photo turn right after it.
Retries (same msgId) run nothing twice."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from server.channels.dingtalk.adapter import chat_message
from server.channels.dingtalk.errors import DingTalkError
from server.channels.dingtalk.messages import parse_robot_message
from server.channels.runtime import ChannelRuntime

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/channels/dingtalk", tags=["channels"], include_in_schema=False)
_STATUS = {"signature-invalid": 403, "timestamp-stale": 403, "timestamp-invalid": 403}


def _refused(code: str) -> JSONResponse:
    log.warning("dingtalk-callback-refused", code=code)
    return JSONResponse({"error": code}, status_code=_STATUS.get(code, 400))


@router.post("/callback")
async def receive(request: Request) -> JSONResponse:
    runtime: ChannelRuntime | None = getattr(request.app.state, "channels", None)
    if runtime is None or runtime.dingtalk is None:
        return JSONResponse({"error": "channel-off"}, status_code=404)
    dingtalk = runtime.dingtalk
    try:
        dingtalk.verifier.verify(request.headers)
        message = parse_robot_message(await request.body())
    except DingTalkError as error:
        return _refused(error.code)
    chat = chat_message(message, dingtalk.api)
    if chat.kind in ("audio", "image"):
        runtime.spawn(runtime.answer_dingtalk(message, chat), name=f"dingtalk-{chat.message_id}")
    else:
        await runtime.answer_dingtalk(message, chat)
    return JSONResponse({})
