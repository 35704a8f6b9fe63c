"""The one turn runner behind every chat adapter: who is writing, once only, then the same turn pipeline as the
devices, then a reply rendered for chat. Adapters only turn platform frames into `ChatMessage`s and `ChatReply`s
into platform messages."""

from __future__ import annotations

import asyncio

import structlog

from assistant.catalogue import lang_of
from assistant.journal.channels import ChatInbox
from assistant.pipeline import TurnContext, TurnError, TurnResult
from assistant.pipeline.audio import run_audio
from assistant.pipeline.image import run_image
from assistant.pipeline.record import RawInput
from assistant.world.schema import ChatPlatform, DeviceKind, Worker, World
from server.channels.messages import ChatMessage, ChatReply, Media, MediaUnavailable
from server.channels.render import chat_reply, words_reply
from server.render.turn import turn_out
from server.services import Services

log = structlog.get_logger(__name__)


def chat_device(platform: ChatPlatform, worker: str) -> str:
    """The conversation a worker (by code) or a customer's contact (by chat user id) has in one platform: its own
    dialogue, rate limit and place in the record."""
    return f"{platform}-{worker}"


def chat_device_owner(world: World, device: str) -> Worker | None:
    """The worker whose chat conversation `device` is ("wecom-W12" → W12), None for any other device code."""
    platform, _, code = device.partition("-")
    worker = next((w for w in world.workers if w.code == code), None)
    if platform not in ("wecom", "dingtalk") or worker is None:
        return None
    return worker if worker.chat_user(platform) else None  # type: ignore[arg-type]


def chat_device_contact(world: World, device: str) -> str | None:
    """The chat user id of the customer's contact whose conversation `device` is ("wecom-hongda-zhou"), else None."""
    return _contact_of(world, device)[0]


def chat_device_site(world: World, device: str) -> str | None:
    """The site of a customer's contact's chat conversation (their customer's), else None."""
    return _contact_of(world, device)[1]


def _contact_of(world: World, device: str) -> tuple[str | None, str | None]:
    platform, _, user_id = device.partition("-")
    if platform not in ("wecom", "dingtalk"):
        return None, None
    found = world.contact_for_chat(platform, user_id)  # type: ignore[arg-type]
    return (user_id, found[0].site) if found is not None else (None, None)


class ChatTurns:
    def __init__(self, services: Services, inbox: ChatInbox) -> None:
        self._services = services
        self._inbox = inbox

    def context(self, platform: ChatPlatform, user_id: str) -> TurnContext | None:
        """Who writes: a worker (their own conversation, at their site), or a customer's contact (a conversation of
        their own, at the customer's site, ordering as that customer: what they may do is the policy's say)."""
        world = self._services.master.world
        writer = world.chat_user(platform, user_id)
        if isinstance(writer, Worker):
            return TurnContext(device=chat_device(platform, writer.code), device_kind=DeviceKind.chat.value,
                               site=writer.site, worker=writer.code, language=writer.language)
        site = writer[0].site if writer is not None else None
        if writer is None or site is None:
            return None  # a contact of a customer no site sells to exclusively cannot order by chat
        return TurnContext(device=chat_device(platform, user_id), device_kind=DeviceKind.chat.value,
                           site=site, worker=None, language="zh", customer=writer[0].code)

    async def handle(self, message: ChatMessage) -> ChatReply | None:
        """The reply to a message, or None for a message already taken (a platform's retry: nothing runs)."""
        claimed = await asyncio.to_thread(self._inbox.claim, message.platform, message.message_id, message.user_id)
        if not claimed:
            log.info("chat-duplicate", platform=message.platform, message_id=message.message_id)
            return None
        ctx = self.context(message.platform, message.user_id)
        if ctx is None:
            log.info("chat-unknown-user", platform=message.platform, message_id=message.message_id)
            return words_reply("chat-not-registered", "zh")
        lang = lang_of(ctx.language)
        if message.kind == "unsupported":
            return words_reply("chat-unsupported-message", lang)
        services = self._services
        wait = await services.turn_rate.take(ctx.device)
        if wait is not None:
            return words_reply("too-many-turns", lang, retry_after_s=wait)
        try:
            media = await _fetched(message) if message.kind in ("audio", "image") else None
        except MediaUnavailable as error:
            log.warning("chat-media-failed", platform=message.platform, message_id=message.message_id,
                        reason=str(error))
            return words_reply("chat-media-failed", lang)
        raw = RawInput(message.kind, text=message.text or None, data=media.data if media else None,
                       content_type=media.content_type if media else None)
        try:
            turn = await self._run(ctx, message, media)
        except TurnError as error:
            await services.recorder.failed(ctx, message.platform, raw, error)
            return words_reply(error.code, lang, **error.values)
        await services.recorder.answered(ctx, message.platform, raw, turn)
        return chat_reply(turn_out(turn, ctx, services.master.world))

    async def _run(self, ctx: TurnContext, message: ChatMessage, media: Media | None) -> TurnResult:
        services = self._services
        if message.kind == "action" and message.action is not None:
            return await services.pipeline.run_action(ctx, message.action, draft=message.draft)
        if message.kind == "audio" and media is not None:
            return await run_audio(services.pipeline, services.speech, ctx, media.data, media.content_type)
        if message.kind == "image" and media is not None:
            return await run_image(services.pipeline, services.vision, services.code_matcher(), ctx, media.data,
                                   media.content_type, message.text)
        return await services.pipeline.run_text(ctx, message.text)


async def _fetched(message: ChatMessage) -> Media:
    if message.fetch is None:
        raise MediaUnavailable("no file")
    try:
        return await message.fetch()
    except MediaUnavailable:
        raise
    except Exception as error:  # the platform's own failure, whatever its type: the person is told, nothing runs
        raise MediaUnavailable(type(error).__name__) from error
