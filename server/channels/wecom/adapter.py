"""WeCom messages into chat turns, chat replies into WeCom messages (the self-built app: callback in, send API out).

A read-back's buttons go out as a `button_interaction` template card whose task id carries the draft's id, so a
tap confirms exactly the read-back it was shown with."""

from __future__ import annotations

import secrets

from assistant.world.schema import ChatPlatform
from server.channels.messages import ChatMessage, ChatReply, FetchMedia, Media, MediaUnavailable
from server.channels.outbox import LocalOutbox, file_record
from server.channels.wecom.api import ButtonCard, WeComApi, WeComApiError, confirm_card
from server.channels.wecom.xml import WeComMessage

PLATFORM: ChatPlatform = "wecom"
_TASK_PREFIX = "d"


def task_id_for(draft: str | None) -> str:
    """A card's task id (unique per card, as WeCom wants): the draft's id and a random tail."""
    return f"{_TASK_PREFIX}{draft or 'none'}-{secrets.token_hex(6)}"


def draft_of(task_id: str | None) -> str | None:
    if not task_id or not task_id.startswith(_TASK_PREFIX) or "-" not in task_id:
        return None
    draft = task_id[len(_TASK_PREFIX):].split("-", 1)[0]
    return None if draft == "none" else draft


def message_id(message: WeComMessage) -> str:
    """The platform's id of a message; a card tap has none, so its user, time and card stand for it."""
    if message.msg_id:
        return message.msg_id
    return f"event:{message.from_user}:{message.create_time}:{message.task_id or message.event or ''}"


def fetcher(api: WeComApi | None, media_id: str | None) -> FetchMedia | None:
    if api is None or not media_id:
        return None

    async def fetch() -> Media:
        try:
            media = await api.download_media(media_id)
        except WeComApiError as error:
            raise MediaUnavailable(error.code) from error
        return Media(media.data, media.content_type)
    return fetch


def chat_message(message: WeComMessage, api: WeComApi | None) -> ChatMessage | None:
    """The turn a WeCom message asks for; None for platform events that are no one's words (entering the app)."""
    ids = (message_id(message), message.from_user)
    if message.msg_type == "text":
        return ChatMessage(PLATFORM, *ids, kind="text", text=(message.content or "").strip())
    if message.msg_type == "voice":
        return ChatMessage(PLATFORM, *ids, kind="audio", fetch=fetcher(api, message.media_id))
    if message.msg_type == "image":
        return ChatMessage(PLATFORM, *ids, kind="image", fetch=fetcher(api, message.media_id))
    if message.msg_type == "event":
        if message.is_card_click and message.event_key == "confirm":
            return ChatMessage(PLATFORM, *ids, kind="action", action="confirm", draft=draft_of(message.task_id))
        if message.is_card_click and message.event_key == "cancel":
            return ChatMessage(PLATFORM, *ids, kind="action", action="cancel")
        return None
    return ChatMessage(PLATFORM, *ids, kind="unsupported")


def _card(reply: ChatReply) -> ButtonCard | None:
    confirm = next((b for b in reply.buttons if b.action == "confirm"), None)
    cancel = next((b for b in reply.buttons if b.action == "cancel"), None)
    if confirm is None or cancel is None:
        return None
    return confirm_card(task_id_for(reply.draft_id), reply.title, confirm_key="confirm", confirm_label=confirm.label,
                        cancel_key="cancel", cancel_label=cancel.label, description=reply.text[:120])


class WeComSender:
    """Replies and pushes to a WeCom user: markdown, and a card with the read-back's buttons."""

    def __init__(self, api: WeComApi | None, local: LocalOutbox | None) -> None:
        self._api, self._local = api, local

    async def send(self, user: str, reply: ChatReply) -> None:
        """The whole reply through the send API: markdown, then the card when it has buttons."""
        if self._local is not None:
            await self._local.keep(PLATFORM, "send", user, {"msgtype": "markdown",
                                                            "markdown": {"content": reply.markdown}})
        else:
            assert self._api is not None
            await self._api.send_markdown(user, reply.markdown)
        await self.send_card(user, reply)

    async def send_card(self, user: str, reply: ChatReply) -> None:
        """Only the read-back's confirm/cancel card (nothing when the reply has no buttons)."""
        card = _card(reply)
        if card is None:
            return
        if self._local is not None:
            await self._local.keep(PLATFORM, "card", user, {"msgtype": "template_card",
                                                            "template_card": card.payload()})
            return
        assert self._api is not None
        await self._api.send_template_card(user, card)

    async def send_file(self, user: str, data: bytes, filename: str, content_type: str) -> None:
        """A file message (a signed contract). On demo credentials only its name, size and digest are logged."""
        if self._local is not None:
            await self._local.keep(PLATFORM, "file", user, file_record(data, filename))
            return
        assert self._api is not None
        await self._api.send_file(user, data, filename, content_type)

    async def keep_passive(self, user: str, text: str) -> None:
        """A passive reply leaves in the callback's answer; on demo credentials it is also logged to be seen."""
        if self._local is not None:
            await self._local.keep(PLATFORM, "passive-reply", user, {"msgtype": "text", "text": {"content": text}})
