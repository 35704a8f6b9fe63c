"""A robot message as DingTalk delivers it: the same JSON is the body of an HTTP callback and the `data` string of a
Stream CALLBACK frame on /v1.0/im/bot/messages/get.

Field names follow DingTalk's "机器人接收消息" reference (text, richText, picture, audio, video, file) and the official
Python Stream SDK's ChatbotMessage. Media arrive as download codes, exchanged for bytes by `DingTalkApi.download`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from server.channels.dingtalk.errors import DingTalkError

BOT_TOPIC = "/v1.0/im/bot/messages/get"

ConversationType = Literal["1", "2"]  # "1" single chat with the robot, "2" group chat (the robot was @-mentioned)


@dataclass(frozen=True)
class Picture:
    download_code: str


@dataclass(frozen=True)
class Audio:
    download_code: str
    recognition: str = field(default="", repr=False)  # DingTalk's own speech-to-text; user content, so not in repr
    duration_ms: int | None = None


@dataclass(frozen=True)
class Video:
    download_code: str
    video_type: str = ""
    duration_ms: int | None = None


@dataclass(frozen=True)
class FileAttachment:
    download_code: str
    file_name: str = ""


@dataclass(frozen=True)
class TextPart:
    text: str = field(repr=False)


@dataclass(frozen=True)
class PicturePart:
    download_code: str


RichTextPart = TextPart | PicturePart


@dataclass(frozen=True)
class RobotMessage:
    msg_id: str
    conversation_id: str
    conversation_type: ConversationType
    sender_id: str  # DingTalk's encrypted sender id: always present
    sender_staff_id: str | None  # the organisation's userId; absent for external users and unpublished robots
    sender_nick: str
    robot_code: str | None  # absent for custom (webhook) robots
    msgtype: str  # "text", "richText", "picture", "audio", "video", "file", or any other kept as is
    # text.content stripped; for richText its text pieces joined in order; "" for other types (audio: see audio)
    text: str = field(repr=False)
    picture: Picture | None = None
    audio: Audio | None = None
    video: Video | None = None
    file: FileAttachment | None = None
    rich_text: tuple[RichTextPart, ...] = ()
    conversation_title: str | None = None  # group chats only
    session_webhook: str | None = field(default=None, repr=False)  # the URL is itself the credential to reply
    session_webhook_expires_at_ms: int | None = None
    create_at_ms: int | None = None
    is_in_at_list: bool = False

    @property
    def is_group(self) -> bool:
        return self.conversation_type == "2"

    @property
    def download_codes(self) -> tuple[str, ...]:
        """Every media download code the message carries, in message order."""
        single = self.picture or self.audio or self.video or self.file
        if single is not None:
            return (single.download_code,)
        return tuple(part.download_code for part in self.rich_text if isinstance(part, PicturePart))

    def can_reply_by_webhook(self, now_ms: int) -> bool:
        """Whether the session webhook is still valid (DingTalk gives it roughly 1.5 hours)."""
        if self.session_webhook is None:
            return False
        return self.session_webhook_expires_at_ms is None or now_ms < self.session_webhook_expires_at_ms


def parse_robot_message(data: Mapping[str, object] | str | bytes) -> RobotMessage:
    """Parse a callback body or a frame's `data`; DingTalkError("message-malformed") if it is not a robot message."""
    raw = _load(data)
    msgtype = _required_str(raw, "msgtype")
    conversation_type = _required_str(raw, "conversationType")
    if conversation_type not in ("1", "2"):
        raise DingTalkError("message-malformed", f"conversationType {conversation_type!r}")
    text = ""
    picture: Picture | None = None
    audio: Audio | None = None
    video: Video | None = None
    attachment: FileAttachment | None = None
    rich_text: tuple[RichTextPart, ...] = ()
    if msgtype == "text":
        text = _required_str(_object(raw, "text"), "content", allow_empty=True).strip()
    elif msgtype == "picture":
        content = _object(raw, "content")
        picture = Picture(_download_code(content))
    elif msgtype == "audio":
        content = _object(raw, "content")
        audio = Audio(_download_code(content), _optional_str(content, "recognition") or "",
                      _optional_int(content, "duration"))
    elif msgtype == "video":
        content = _object(raw, "content")
        video = Video(_download_code(content), _optional_str(content, "videoType") or "",
                      _optional_int(content, "duration"))
    elif msgtype == "file":
        content = _object(raw, "content")
        attachment = FileAttachment(_download_code(content), _optional_str(content, "fileName") or "")
    elif msgtype == "richText":
        rich_text = _rich_text(_object(raw, "content"))
        # Pieces carry their own spacing (e.g. [{"text": "@bot "}, {"text": "盘点"}]), so they join without a separator.
        text = "".join(part.text for part in rich_text if isinstance(part, TextPart)).strip()
    return RobotMessage(
        msg_id=_required_str(raw, "msgId"),
        conversation_id=_required_str(raw, "conversationId"),
        conversation_type="1" if conversation_type == "1" else "2",
        sender_id=_required_str(raw, "senderId"),
        sender_staff_id=_optional_str(raw, "senderStaffId") or None,
        sender_nick=_optional_str(raw, "senderNick") or "",
        robot_code=_optional_str(raw, "robotCode") or None,
        msgtype=msgtype,
        text=text,
        picture=picture,
        audio=audio,
        video=video,
        file=attachment,
        rich_text=rich_text,
        conversation_title=_optional_str(raw, "conversationTitle") or None,
        session_webhook=_optional_str(raw, "sessionWebhook") or None,
        session_webhook_expires_at_ms=_optional_int(raw, "sessionWebhookExpiredTime"),
        create_at_ms=_optional_int(raw, "createAt"),
        is_in_at_list=_optional_bool(raw, "isInAtList"),
    )


def _load(data: Mapping[str, object] | str | bytes) -> Mapping[str, object]:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise DingTalkError("message-malformed", "not JSON") from None
    if not isinstance(data, Mapping):
        raise DingTalkError("message-malformed", "not a JSON object")
    return data


def _object(raw: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise DingTalkError("message-malformed", f"{key} is not an object")
    return value


def _required_str(raw: Mapping[str, object], key: str, *, allow_empty: bool = False) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or (not allow_empty and not value):
        raise DingTalkError("message-malformed", f"{key} missing or not a string")
    return value


def _optional_str(raw: Mapping[str, object], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DingTalkError("message-malformed", f"{key} is not a string")
    return value


def _optional_int(raw: Mapping[str, object], key: str) -> int | None:
    # DingTalk documents createAt as a string and sends a number; duration is sometimes "3" too: accept both.
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DingTalkError("message-malformed", f"{key} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise DingTalkError("message-malformed", f"{key} is not a number")


def _optional_bool(raw: Mapping[str, object], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise DingTalkError("message-malformed", f"{key} is not a boolean")
    return value


def _download_code(content: Mapping[str, object]) -> str:
    # `downloadCode` is the documented one; pictures also carry `pictureDownloadCode`, used when the former is absent.
    code = _optional_str(content, "downloadCode") or _optional_str(content, "pictureDownloadCode")
    if not code:
        raise DingTalkError("message-malformed", "downloadCode missing")
    return code


def _rich_text(content: Mapping[str, object]) -> tuple[RichTextPart, ...]:
    items = content.get("richText")
    if not isinstance(items, list):
        raise DingTalkError("message-malformed", "richText is not a list")
    parts: list[RichTextPart] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise DingTalkError("message-malformed", "richText item is not an object")
        if "text" in item:
            text = _optional_str(item, "text")
            if text:
                parts.append(TextPart(text))
        elif item.get("type") == "picture" or "downloadCode" in item or "pictureDownloadCode" in item:
            parts.append(PicturePart(_download_code(item)))
        # Other items (emoji, future kinds) carry nothing the assistant reads: skipped.
    return tuple(parts)
