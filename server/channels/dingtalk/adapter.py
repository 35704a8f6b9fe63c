"""DingTalk robot messages into chat turns, chat replies into DingTalk messages: the same for the HTTP callback and
Stream mode. Replies go through the message's session webhook while it is valid, else the robot's send API. A
read-back carries two links that send "确认" / "取消" back as the person's own message (typing them works as well)."""

from __future__ import annotations

import time

from assistant.catalogue import say
from assistant.world.schema import ChatPlatform
from server.channels.dingtalk.api import DingTalkApi, send_message_link
from server.channels.dingtalk.errors import DingTalkError
from server.channels.dingtalk.messages import RobotMessage
from server.channels.messages import ChatMessage, ChatReply, FetchMedia, Media, MediaUnavailable
from server.channels.outbox import LocalOutbox, file_record

PLATFORM: ChatPlatform = "dingtalk"


def _fetch(api: DingTalkApi | None, code: str) -> FetchMedia | None:
    if api is None:
        return None

    async def fetch() -> Media:
        try:
            return Media(await api.download(code))
        except DingTalkError as error:
            raise MediaUnavailable(error.code) from error
    return fetch


def chat_message(message: RobotMessage, api: DingTalkApi | None) -> ChatMessage:
    ids = (PLATFORM, message.msg_id, message.sender_staff_id or "")
    chat = message.conversation_id
    if message.msgtype == "text":
        return ChatMessage(*ids, kind="text", text=message.text.strip(), chat_id=chat)
    if message.msgtype == "audio" and message.audio is not None:
        return ChatMessage(*ids, kind="audio", fetch=_fetch(api, message.audio.download_code), chat_id=chat)
    if message.msgtype == "picture" and message.picture is not None:
        return ChatMessage(*ids, kind="image", fetch=_fetch(api, message.picture.download_code), chat_id=chat)
    if message.msgtype == "richText" and message.download_codes:
        return ChatMessage(*ids, kind="image", text=message.text.strip(),
                           fetch=_fetch(api, message.download_codes[0]), chat_id=chat)
    if message.msgtype == "richText" and message.text.strip():
        return ChatMessage(*ids, kind="text", text=message.text.strip(), chat_id=chat)
    return ChatMessage(*ids, kind="unsupported", chat_id=chat)


def markdown_of(reply: ChatReply) -> str:
    """The reply's markdown with the read-back's answers as links that send the word back."""
    if not reply.buttons:
        return reply.markdown
    words = {"confirm": say("button-confirm", reply.language), "cancel": say("button-cancel", reply.language)}
    links = "　".join(f"[{b.label}]({send_message_link(words[b.action])})" for b in reply.buttons)
    return f"{reply.markdown}\n\n{links}"


class DingTalkSender:
    def __init__(self, api: DingTalkApi | None, local: LocalOutbox | None) -> None:
        self._api, self._local = api, local

    async def answer(self, message: RobotMessage, reply: ChatReply) -> None:
        text = markdown_of(reply)
        user = message.sender_staff_id or ""
        if self._local is not None:
            await self._local.keep(PLATFORM, "reply", user, {"msgtype": "markdown",
                                                             "markdown": {"title": reply.title, "text": text}})
            return
        assert self._api is not None
        if message.session_webhook and message.can_reply_by_webhook(int(time.time() * 1000)):
            await self._api.reply(message.session_webhook, reply.title, text)
        else:
            await self._api.send_markdown([user], reply.title, text)

    async def send_file(self, user: str, data: bytes, filename: str) -> None:
        """A file from the robot (a signed contract). On demo credentials only its name, size and digest are logged."""
        if self._local is not None:
            await self._local.keep(PLATFORM, "file", user, file_record(data, filename))
            return
        assert self._api is not None
        await self._api.send_file([user], data, filename)

    async def tell(self, user: str, reply: ChatReply) -> None:
        """News nobody asked for right now: the robot's send API (no session webhook to answer)."""
        if self._local is not None:
            await self._local.keep(PLATFORM, "send", user, {"msgtype": "markdown",
                                                            "markdown": {"title": reply.title, "text": reply.markdown}})
            return
        assert self._api is not None
        await self._api.send_markdown([user], reply.title, reply.markdown)
