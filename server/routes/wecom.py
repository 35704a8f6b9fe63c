"""WeCom's self-built app callback (`/channels/wecom/callback`): URL verification (GET) and messages (POST), signed
and encrypted as WeCom specifies. A text turn answers in the callback's own (encrypted, passive) reply; a voice or
photo turn is acknowledged at once and answered through the send API. Retries (same MsgId) run nothing twice."""

from __future__ import annotations

import secrets
import time

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from server.channels.runtime import ChannelRuntime, WeComChannel
from server.channels.wecom.adapter import chat_message
from server.channels.wecom.callback import open_callback, seal_text_reply
from server.channels.wecom.crypto import WeComCryptoError
from server.channels.wecom.xml import WeComXmlError

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/channels/wecom", tags=["channels"], include_in_schema=False)
_ACK = "success"  # what WeCom takes as "received, no passive reply"


def _channel(request: Request) -> tuple[ChannelRuntime, WeComChannel] | None:
    runtime: ChannelRuntime | None = getattr(request.app.state, "channels", None)
    if runtime is None or runtime.wecom is None:
        return None
    return runtime, runtime.wecom


def _refused(code: str, status: int) -> PlainTextResponse:
    log.warning("wecom-callback-refused", code=code)
    return PlainTextResponse(code, status_code=status)


@router.get("/callback")
async def verify_url(request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = "",
                     echostr: str = "") -> Response:
    found = _channel(request)
    if found is None:
        return _refused("channel-off", 404)
    try:
        return PlainTextResponse(found[1].crypto.verify_url(msg_signature, timestamp, nonce, echostr))
    except WeComCryptoError as error:
        return _refused(error.code, 403)


@router.post("/callback")
async def receive(request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = "") -> Response:
    found = _channel(request)
    if found is None:
        return _refused("channel-off", 404)
    runtime, wecom = found
    body = await request.body()
    try:
        message = open_callback(wecom.crypto, msg_signature, timestamp, nonce, body)
    except WeComCryptoError as error:
        return _refused(error.code, 403)
    except WeComXmlError as error:
        return _refused(error.code, 400)
    chat = chat_message(message, wecom.api)
    if chat is None:
        return PlainTextResponse(_ACK)
    if chat.kind in ("audio", "image"):
        runtime.spawn(runtime.answer_later(chat, wecom.sender.send), name=f"wecom-{chat.message_id}")
        return PlainTextResponse(_ACK)
    reply = await runtime.turns.handle(chat)
    if reply is None:  # a retry of a message already answered
        return PlainTextResponse(_ACK)
    if reply.buttons:  # the read-back's buttons come as a card beside the passive reply
        runtime.spawn(wecom.sender.send_card(chat.user_id, reply), name=f"wecom-card-{chat.message_id}")
    text = reply.plain or reply.text
    await wecom.sender.keep_passive(chat.user_id, text)
    sealed = seal_text_reply(wecom.crypto, message, text, str(int(time.time())), secrets.token_hex(8))
    return Response(sealed, media_type="application/xml")
