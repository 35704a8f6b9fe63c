"""A chat message as every adapter hands it to the turn runner, and the reply it gets back: the platforms' own
shapes stop at the adapters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from assistant.catalogue import Lang
from assistant.pipeline import ActionId
from assistant.world.schema import ChatPlatform

# What the person sent: words, a voice message, a photo (with words beside it in a mixed message), a button tap,
# or something the assistant does not take (a sticker, a location, a file of another kind).
MessageKind = Literal["text", "audio", "image", "action", "unsupported"]


@dataclass(frozen=True)
class Media:
    data: bytes
    content_type: str | None = None


class MediaUnavailable(Exception):
    """The platform would not give the file (expired id, failed download, a host that is not allowed)."""


FetchMedia = Callable[[], Awaitable[Media]]  # downloads the message's file only when the turn needs it


@dataclass(frozen=True)
class ChatMessage:
    platform: ChatPlatform
    message_id: str  # the platform's own id: a retry carries the same
    user_id: str  # WeCom user id / DingTalk staff id
    kind: MessageKind
    text: str = ""
    fetch: FetchMedia | None = None
    action: ActionId | None = None  # a card button
    draft: str | None = None  # the read-back a button answers
    chat_id: str | None = None  # the group or single chat it came from


@dataclass(frozen=True)
class ChatButton:
    action: ActionId
    label: str


@dataclass(frozen=True)
class ChatReply:
    """What goes back: plain words (passive replies, platforms without markdown), the same as markdown with the
    draft laid out, and the buttons of a read-back (typed or spoken "确认"/"取消" always work as well)."""

    title: str
    text: str
    markdown: str
    language: Lang
    plain: str = ""  # the markdown's content as plain text (passive replies take no markdown); "" : `text`
    buttons: tuple[ChatButton, ...] = ()
    draft_id: str | None = None
    documents: tuple[str, ...] = ()
    image_png: bytes | None = None  # the route map, when the turn has one
