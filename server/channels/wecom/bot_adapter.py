"""The WeCom intelligent bot's long connection into chat turns: frames in, replies out on the same connection.

A voice message comes as the platform's own recognised words (the long connection delivers no audio), so it is a
text turn; a photo (alone, or in a mixed message with words) is downloaded, decrypted and read like a tablet's."""

from __future__ import annotations

from server.channels.messages import ChatMessage, ChatReply, FetchMedia, Media, MediaUnavailable
from server.channels.turns import ChatTurns
from server.channels.wecom.adapter import PLATFORM, draft_of, task_id_for
from server.channels.wecom.bot_client import Handler, Reply
from server.channels.wecom.bot_errors import WeComBotError
from server.channels.wecom.bot_frames import EVENT_TEMPLATE_CARD, BotEvent, BotMessage, CardButton, TemplateCard
from server.channels.wecom.bot_frames import Media as BotMedia
from server.channels.wecom.bot_media import MediaFetcher


def _fetch(fetcher: MediaFetcher, media: BotMedia) -> FetchMedia:
    async def fetch() -> Media:
        try:
            got = await fetcher.fetch(media)
        except WeComBotError as error:
            raise MediaUnavailable(error.code) from error
        return Media(got.data, got.content_type)
    return fetch


def bot_chat_message(inbound: BotMessage | BotEvent, fetcher: MediaFetcher) -> ChatMessage | None:
    if isinstance(inbound, BotEvent):
        card = inbound.card
        if inbound.event_type != EVENT_TEMPLATE_CARD or card is None:
            return None  # entering a chat, feedback: no one's words
        if card.event_key == "confirm":
            return ChatMessage(PLATFORM, inbound.msg_id, inbound.from_user, kind="action", action="confirm",
                               draft=draft_of(card.task_id), chat_id=inbound.chat_id)
        if card.event_key == "cancel":
            return ChatMessage(PLATFORM, inbound.msg_id, inbound.from_user, kind="action", action="cancel",
                               chat_id=inbound.chat_id)
        return None
    ids = (PLATFORM, inbound.msg_id, inbound.from_user)
    images = [m for m, part in ((p.media, p) for p in inbound.parts) if m is not None and part.kind == "image"]
    if images:
        return ChatMessage(*ids, kind="image", text=inbound.text.strip(), fetch=_fetch(fetcher, images[0]),
                           chat_id=inbound.chat_id)
    if inbound.msgtype in ("text", "voice", "mixed") and inbound.text.strip():
        return ChatMessage(*ids, kind="text", text=inbound.text.strip(), chat_id=inbound.chat_id)
    return ChatMessage(*ids, kind="unsupported", chat_id=inbound.chat_id)


def confirm_card(reply: ChatReply) -> TemplateCard | None:
    confirm = next((b for b in reply.buttons if b.action == "confirm"), None)
    cancel = next((b for b in reply.buttons if b.action == "cancel"), None)
    if confirm is None or cancel is None:
        return None
    return TemplateCard(card_type="button_interaction", title=reply.title, desc=reply.text[:120],
                        task_id=task_id_for(reply.draft_id),
                        buttons=(CardButton(confirm.label, "confirm", 1), CardButton(cancel.label, "cancel", 2)))


def bot_handler(turns: ChatTurns, fetcher: MediaFetcher) -> Handler:
    async def handle(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        message = bot_chat_message(inbound, fetcher)
        if message is None:
            return
        answer = await turns.handle(message)
        if answer is None:  # a redelivered frame: answered already
            return
        await reply.markdown(answer.markdown)
        card = confirm_card(answer)
        if card is not None:
            await reply.push(card)
    return handle
