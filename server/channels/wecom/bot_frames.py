"""WeCom intelligent-bot long connection (企业微信 智能机器人 长连接): every frame shape, in this one module.

Where this comes from (read 2026; a correction to the wire format belongs here and nowhere else):

[D] developer.work.weixin.qq.com/document/path/101463 「智能机器人长连接」 (updated 2026/04/01). Only its table of
    contents and overview were readable to us: the bot opens a WebSocket to the platform (no public IP, no message
    encryption, heartbeat and reconnect are the client's job), subscribes with `aibot_subscribe`, receives
    `aibot_msg_callback` / `aibot_event_callback`, replies (welcome, ordinary reply with the stream mechanism, template
    card update), pushes proactively (markdown, template card, file, image, voice, video), keeps a heartbeat, decrypts
    media per message, and gets a "connection closed" event (disconnected_event). Private-deployment tenants find
    their own endpoint in the admin console, hence `url` is a parameter.
[S] WeCom's own Node SDK, github.com/WecomTeam/aibot-node-sdk (linked from [D]): src/types/api.ts (command names,
    frame envelope), src/ws.ts (subscribe, answer routing, heartbeat, reconnect, disconnected_event), src/client.ts
    (reply / push bodies), src/types/message.ts + event.ts (callback bodies), src/crypto.ts (media decryption).
[W] The webhook-mode pages whose bodies the long connection reuses: 100719 (接收消息), 101027 (接收事件), 101031
    (被动回复消息, 模板卡片类型), 101138 (response_url: one call, valid 1 hour); 100719 and 101138 read from the
    stored docs, the rest from a public copy of those pages kept in a GitHub repository.

Confirmed, by source:
- Endpoint `wss://openws.work.weixin.qq.com` [D][S]. Every frame is one JSON text message
  `{"cmd", "headers": {"req_id"}, "body"}` [S].
- Subscribe: `{"cmd": "aibot_subscribe", "headers": {"req_id"}, "body": {"bot_id", "secret"}}` [S]; the SDK may add
  optional `scene` / `plug_version` (not sent here).
- Heartbeat: `{"cmd": "ping", "headers": {"req_id"}}` every 30 s after a successful subscribe; two unanswered pings
  mean a dead connection [S].
- Answers to subscribe / ping / respond / send carry NO cmd: `{"headers": {"req_id"}, "errcode", "errmsg"}`, matched
  to the request by req_id; errcode 0 is success [S]. Several third-party clients and fakes echo `cmd` and put
  errcode in `body`; `Ack.from_obj` accepts both.
- Message callback body [W][S]: msgid (de-duplicate on it: redelivery happens), aibotid, chatid (group only),
  chattype single|group, from.userid, create_time, response_url, msgtype text|image|mixed|voice|file|video, and
  text.content / image.{url, aeskey} / mixed.msg_item[] (ordered text|image items) / voice.content (the platform's
  own speech-to-text; no audio is delivered) / file.{url, aeskey} / video.{url, aeskey}; optional quote.
  Image, voice and file arrive only in single chats [W].
- Media URLs are valid five minutes and the bytes are AES-256-CBC encrypted: key = base64-decoded aeskey (32 bytes),
  IV = its first 16 bytes, PKCS#7 padding to a multiple of 32 bytes [W][S]. In long-connection mode every URL comes
  with its own `aeskey` [S]. Sample URLs are on `ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com` [W].
- Event callback body [W]: msgid, create_time, aibotid, chatid?, chattype?, from.{userid, corpid?}, msgtype "event",
  event.eventtype enter_chat | template_card_event | feedback_event | disconnected_event [S]; the event's own data
  sits under a key named after the type, e.g. event.template_card_event.{card_type, event_key, task_id,
  selected_items.selected_item[].{question_key, option_ids.option_id[]}} [W].
- Replies reuse the callback's req_id: `aibot_respond_msg` (stream, template_card, stream_with_template_card),
  `aibot_respond_welcome_msg` (text or template_card; only for enter_chat, within 5 s), `aibot_respond_update_msg`
  (`{"response_type": "update_template_card", "userids"?, "template_card"}`; only for template_card_event, within
  5 s; the card's task_id must be the clicked one) [S][W]. Replies to one req_id are sent one at a time, each
  waiting for its answer [S].
- Stream reply: `{"msgtype": "stream", "stream": {"id", "finish", "content", "msg_item"?, "feedback"?}}`; content is
  the whole text so far (markdown, <= 20480 bytes), images (base64 + md5) only with finish=true, at most 10 [W][S].
  In webhook mode the platform stops waiting for finish=true 6 minutes after the user's message [W]; that this
  bounds a long-connection stream too is an assumption (one third-party client states it). A user has at most three
  messages in flight with one bot [W].
- Proactive push: `{"cmd": "aibot_send_msg", "headers": {"req_id": <new>}, "body": {"chatid", "msgtype", ...}}` with
  markdown or template_card (also media by media_id, not built here); chatid is the user's userid for a single chat,
  the chatid for a group [S].
- disconnected_event: the platform opened a newer connection for this bot and closes this one [S].

Not confirmed (the docs page body was not readable; decided here, flagged):
- The errcode values for a wrong bot id / secret, and whether the platform closes the socket after a refused subscribe.
- Whether a callback's req_id can still be answered after a reconnect; the client pushes instead (see bot_client).
- Whether `aibot_send_msg` also wants a chat type field (one third-party client sends `chat_type` 1|2; WeCom's SDK
  does not, so neither do we).
- Whether a base64 aeskey arrives with or without '=' padding (both accepted).
- errcode 846609 "aibot websocket not subscribed" on a send means the subscription is gone (third-party reports).
- The Node SDK types template-card event fields flat under `event`; [W] nests them under
  `event.template_card_event`. Both are read, the nested form first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast

from server.channels.wecom.bot_errors import FRAME_INVALID, FrameError, WeComBotError

Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"
JsonObject: TypeAlias = "dict[str, Json]"

DEFAULT_URL = "wss://openws.work.weixin.qq.com"

CMD_SUBSCRIBE = "aibot_subscribe"
CMD_PING = "ping"
CMD_MSG_CALLBACK = "aibot_msg_callback"
CMD_EVENT_CALLBACK = "aibot_event_callback"
CMD_RESPOND = "aibot_respond_msg"
CMD_RESPOND_WELCOME = "aibot_respond_welcome_msg"
CMD_RESPOND_UPDATE = "aibot_respond_update_msg"
CMD_SEND = "aibot_send_msg"

EVENT_ENTER_CHAT = "enter_chat"
EVENT_TEMPLATE_CARD = "template_card_event"
EVENT_FEEDBACK = "feedback_event"
EVENT_DISCONNECTED = "disconnected_event"

ERRCODE_NOT_SUBSCRIBED = 846609  # "aibot websocket not subscribed" (third-party reports, see module docstring)

STREAM_WINDOW_S = 6 * 60.0  # [W] webhook mode: no finish=true accepted 6 minutes after the user's message
STREAM_CONTENT_MAX_BYTES = 20480
STREAM_IMAGES_MAX = 10

ChatType = Literal["single", "group"]
MsgType = Literal["text", "image", "voice", "mixed", "file", "video", "other"]
PartKind = Literal["text", "image", "voice", "file", "video"]
CardType = Literal["text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"]


def new_req_id(prefix: str) -> str:
    """`{prefix}_{ms}_{random}`, the shape WeCom's SDK uses; only uniqueness matters to the platform."""
    return f"{prefix}_{int(time.time() * 1000)}_{secrets.token_hex(4)}"


# ---- reading JSON defensively: every failure names the field, never its value ----

def _load(raw: str | bytes) -> JsonObject:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("not_json") from None
    if not isinstance(value, dict):
        raise FrameError("not_an_object")
    return cast(JsonObject, value)


def _dumps(obj: JsonObject) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _obj(value: Json, where: str) -> JsonObject:
    if not isinstance(value, dict):
        raise FrameError(f"bad_field:{where}")
    return value


def _opt_obj(o: JsonObject, key: str, where: str) -> JsonObject | None:
    value = o.get(key)
    return None if value is None else _obj(value, where)


def _str(o: JsonObject, key: str, where: str) -> str:
    value = o.get(key)
    if not isinstance(value, str) or not value:
        raise FrameError(f"bad_field:{where}")
    return value


def _opt_str(o: JsonObject, key: str, where: str) -> str | None:
    value = o.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FrameError(f"bad_field:{where}")
    return value


def _opt_int(o: JsonObject, key: str, where: str) -> int | None:
    value = o.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FrameError(f"bad_field:{where}")
    return value


def _list(o: JsonObject, key: str, where: str) -> list[Json]:
    value = o.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FrameError(f"bad_field:{where}")
    return value


def _envelope(o: JsonObject) -> tuple[str | None, str, JsonObject | None]:
    """(cmd, req_id, body) of any frame."""
    cmd = _opt_str(o, "cmd", "cmd") or None
    headers = _obj(o.get("headers"), "headers")
    req_id = _str(headers, "req_id", "headers.req_id")
    return cmd, req_id, _opt_obj(o, "body", "body")


def _frame(cmd: str, req_id: str, body: JsonObject | None = None) -> str:
    out: JsonObject = {"cmd": cmd, "headers": {"req_id": req_id}}
    if body is not None:
        out["body"] = body
    return _dumps(out)


def _expect(raw: str | bytes, cmd: str) -> tuple[str, JsonObject]:
    got, req_id, body = _envelope(_load(raw))
    if got != cmd:
        raise FrameError("unexpected_cmd")
    if body is None:
        raise FrameError("no_body")
    return req_id, body


def _chat_type(o: JsonObject, where: str) -> ChatType:
    value = o.get("chattype")
    if value is None:  # enter_chat events carry none [W]; they happen in single chats
        return "single"
    if value not in ("single", "group"):
        raise FrameError(f"bad_field:{where}")
    return cast(ChatType, value)


# ---- subscribe / ping / ack ----

@dataclass(frozen=True, slots=True)
class Subscribe:
    req_id: str
    bot_id: str
    secret: str = field(repr=False)  # never in a repr, a log line or an error

    def to_json(self) -> str:
        return _frame(CMD_SUBSCRIBE, self.req_id, {"bot_id": self.bot_id, "secret": self.secret})

    @classmethod
    def from_json(cls, raw: str | bytes) -> Subscribe:
        req_id, body = _expect(raw, CMD_SUBSCRIBE)
        return cls(req_id, _str(body, "bot_id", "body.bot_id"), _str(body, "secret", "body.secret"))


@dataclass(frozen=True, slots=True)
class Ping:
    req_id: str

    def to_json(self) -> str:
        return _frame(CMD_PING, self.req_id)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Ping:
        cmd, req_id, _ = _envelope(_load(raw))
        if cmd != CMD_PING:
            raise FrameError("unexpected_cmd")
        return cls(req_id)


@dataclass(frozen=True, slots=True)
class Ack:
    """The platform's answer to one of our requests (subscribe, ping, respond, send), matched by req_id."""

    req_id: str
    errcode: int
    errmsg: str = ""

    @property
    def ok(self) -> bool:
        return self.errcode == 0

    def to_json(self) -> str:
        return _dumps({"headers": {"req_id": self.req_id}, "errcode": self.errcode, "errmsg": self.errmsg})

    @classmethod
    def from_json(cls, raw: str | bytes) -> Ack:
        return cls.from_obj(_load(raw))

    @classmethod
    def from_obj(cls, o: JsonObject) -> Ack:
        _, req_id, body = _envelope(o)
        source = o if "errcode" in o else body  # [S] puts errcode at the top; some servers/fakes in body
        if source is None or "errcode" not in source:
            raise FrameError("ack_without_errcode")
        errcode = _opt_int(source, "errcode", "errcode")
        assert errcode is not None
        return cls(req_id, errcode, _opt_str(source, "errmsg", "errmsg") or "")


# ---- message callbacks ----

@dataclass(frozen=True, slots=True)
class Media:
    """An encrypted download: the URL is a signed five-minute credential and the key decrypts it (bot_media)."""

    url: str = field(repr=False)
    aes_key: str | None = field(default=None, repr=False)

    def to_obj(self) -> JsonObject:
        out: JsonObject = {"url": self.url}
        if self.aes_key is not None:
            out["aeskey"] = self.aes_key
        return out

    @classmethod
    def from_obj(cls, value: Json, where: str) -> Media:
        o = _obj(value, where)
        return cls(_str(o, "url", f"{where}.url"), _opt_str(o, "aeskey", f"{where}.aeskey") or None)


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a message, in the order the user sent them (a mixed message has several)."""

    kind: PartKind
    text: str = ""  # text, or the platform's recognised text for voice
    media: Media | None = None


def _parts_of(msgtype: str, o: JsonObject, where: str) -> tuple[Part, ...]:
    """Parts of a message (or quote) body of the given msgtype; unknown types have none."""
    if msgtype == "text":
        return (Part("text", _opt_str(_obj(o.get("text"), f"{where}.text"), "content", f"{where}.text.content") or ""),)
    if msgtype == "voice":
        voice = _obj(o.get("voice"), f"{where}.voice")
        # [W][S] name the recognised text `content`; one third-party client reads `text`.
        said = _opt_str(voice, "content", f"{where}.voice.content") or _opt_str(voice, "text", f"{where}.voice.text")
        return (Part("voice", said or ""),)
    if msgtype in ("image", "file", "video"):
        kind = cast(PartKind, msgtype)
        return (Part(kind, media=Media.from_obj(o.get(msgtype), f"{where}.{msgtype}")),)
    if msgtype == "mixed":
        parts: list[Part] = []
        items = _list(_obj(o.get("mixed"), f"{where}.mixed"), "msg_item", f"{where}.mixed.msg_item")
        for n, item in enumerate(items):
            item_where = f"{where}.mixed.msg_item[{n}]"
            item_obj = _obj(item, item_where)
            item_type = _str(item_obj, "msgtype", f"{item_where}.msgtype")
            if item_type in ("text", "image"):
                parts.extend(_parts_of(item_type, item_obj, item_where))
            # [W] documents text and image items only; anything else is skipped, the rest of the message kept
        return tuple(parts)
    return ()


def _parts_to(msgtype: str, parts: tuple[Part, ...], out: JsonObject) -> None:
    if msgtype == "mixed":
        items: list[Json] = []
        for part in parts:
            if part.kind == "text":
                items.append({"msgtype": "text", "text": {"content": part.text}})
            elif part.kind == "image" and part.media is not None:
                items.append({"msgtype": "image", "image": part.media.to_obj()})
        out["mixed"] = {"msg_item": items}
        return
    if not parts:
        return
    part = parts[0]
    if msgtype in ("text", "voice"):
        out[msgtype] = {"content": part.text}
    elif msgtype in ("image", "file", "video") and part.media is not None:
        out[msgtype] = part.media.to_obj()


def _joined_text(parts: tuple[Part, ...]) -> str:
    return "\n".join(p.text for p in parts if p.kind in ("text", "voice") and p.text)


@dataclass(frozen=True, slots=True)
class Quote:
    """The message the user quoted (引用), if any."""

    msgtype: str
    parts: tuple[Part, ...] = ()

    @property
    def text(self) -> str:
        return _joined_text(self.parts)

    def to_obj(self) -> JsonObject:
        out: JsonObject = {"msgtype": self.msgtype}
        _parts_to(self.msgtype, self.parts, out)
        return out

    @classmethod
    def from_obj(cls, value: Json) -> Quote:
        o = _obj(value, "body.quote")
        msgtype = _str(o, "msgtype", "body.quote.msgtype")
        return cls(msgtype, _parts_of(msgtype, o, "body.quote"))


_KNOWN_MSGTYPES = ("text", "image", "voice", "mixed", "file", "video")


@dataclass(frozen=True, slots=True)
class BotMessage:
    """A user's message to the bot. `text` is what they typed or said; `parts` keeps images and files in order."""

    msg_id: str
    bot_id: str
    chat_type: ChatType
    chat_id: str | None  # group chats only
    from_user: str
    msgtype: MsgType  # "other": a type this module does not know (`raw_msgtype` says which)
    parts: tuple[Part, ...] = ()
    raw_msgtype: str = ""
    quote: Quote | None = None
    create_time: int | None = None
    response_url: str | None = field(default=None, repr=False)  # [W] one POST within an hour; a credential

    @property
    def text(self) -> str:
        return _joined_text(self.parts)

    @property
    def media(self) -> tuple[Media, ...]:
        return tuple(p.media for p in self.parts if p.media is not None)

    @property
    def conversation_id(self) -> str:
        """Where a proactive push reaches this conversation: the group's chatid, else the user's userid [S]."""
        return self.chat_id or self.from_user

    def to_obj(self) -> JsonObject:
        msgtype = self.raw_msgtype or self.msgtype
        out: JsonObject = {"msgid": self.msg_id, "aibotid": self.bot_id, "chattype": self.chat_type,
                           "from": {"userid": self.from_user}, "msgtype": msgtype}
        if self.chat_id is not None:
            out["chatid"] = self.chat_id
        if self.create_time is not None:
            out["create_time"] = self.create_time
        if self.response_url is not None:
            out["response_url"] = self.response_url
        _parts_to(msgtype, self.parts, out)
        if self.quote is not None:
            out["quote"] = self.quote.to_obj()
        return out

    @classmethod
    def from_obj(cls, body: JsonObject) -> BotMessage:
        raw_msgtype = _str(body, "msgtype", "body.msgtype")
        msgtype = cast(MsgType, raw_msgtype if raw_msgtype in _KNOWN_MSGTYPES else "other")
        quote = body.get("quote")
        return cls(
            msg_id=_str(body, "msgid", "body.msgid"),
            bot_id=_opt_str(body, "aibotid", "body.aibotid") or "",
            chat_type=_chat_type(body, "body.chattype"),
            chat_id=_opt_str(body, "chatid", "body.chatid") or None,
            from_user=_str(_obj(body.get("from"), "body.from"), "userid", "body.from.userid"),
            msgtype=msgtype,
            parts=_parts_of(raw_msgtype, body, "body"),
            raw_msgtype=raw_msgtype,
            quote=None if quote is None else Quote.from_obj(quote),
            create_time=_opt_int(body, "create_time", "body.create_time"),
            response_url=_opt_str(body, "response_url", "body.response_url") or None,
        )


@dataclass(frozen=True, slots=True)
class MessageCallback:
    req_id: str
    message: BotMessage

    def to_json(self) -> str:
        return _frame(CMD_MSG_CALLBACK, self.req_id, self.message.to_obj())

    @classmethod
    def from_json(cls, raw: str | bytes) -> MessageCallback:
        req_id, body = _expect(raw, CMD_MSG_CALLBACK)
        return cls(req_id, BotMessage.from_obj(body))


# ---- event callbacks ----

@dataclass(frozen=True, slots=True)
class SelectedItem:
    question_key: str
    option_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CardClick:
    """A template-card button (or menu item / submit) the user pressed."""

    card_type: str
    event_key: str
    task_id: str
    selected: tuple[SelectedItem, ...] = ()

    def to_obj(self) -> JsonObject:
        out: JsonObject = {"card_type": self.card_type, "event_key": self.event_key, "task_id": self.task_id}
        if self.selected:
            out["selected_items"] = {"selected_item": [
                {"question_key": s.question_key, "option_ids": {"option_id": list(s.option_ids)}}
                for s in self.selected]}
        return out

    @classmethod
    def from_obj(cls, event: JsonObject) -> CardClick:
        nested = event.get(EVENT_TEMPLATE_CARD)  # [W]; the Node SDK's types read the fields flat, also accepted
        o = _obj(nested, "body.event.template_card_event") if nested is not None else event
        selected: list[SelectedItem] = []
        items = _opt_obj(o, "selected_items", "selected_items")
        for n, item in enumerate(_list(items or {}, "selected_item", "selected_items.selected_item")):
            item_obj = _obj(item, f"selected_item[{n}]")
            option_ids = _opt_obj(item_obj, "option_ids", f"selected_item[{n}].option_ids") or {}
            ids = [i for i in _list(option_ids, "option_id", f"selected_item[{n}].option_ids") if isinstance(i, str)]
            selected.append(SelectedItem(_str(item_obj, "question_key", f"selected_item[{n}].question_key"),
                                         tuple(ids)))
        return cls(card_type=_opt_str(o, "card_type", "card_type") or "",
                   event_key=_opt_str(o, "event_key", "event_key") or "",
                   task_id=_opt_str(o, "task_id", "task_id") or "",
                   selected=tuple(selected))


@dataclass(frozen=True, slots=True)
class Feedback:
    """The user rated a reply that carried a feedback id: type 1 accurate, 2 inaccurate, 3 withdrawn [W]."""

    feedback_id: str
    type: int
    content: str = ""
    reasons: tuple[int, ...] = ()

    def to_obj(self) -> JsonObject:
        return {"id": self.feedback_id, "type": self.type, "content": self.content,
                "inaccurate_reason_list": list(self.reasons)}

    @classmethod
    def from_obj(cls, event: JsonObject) -> Feedback:
        o = _obj(event.get(EVENT_FEEDBACK), "body.event.feedback_event")
        reasons = tuple(r for r in _list(o, "inaccurate_reason_list", "inaccurate_reason_list")
                        if isinstance(r, int) and not isinstance(r, bool))
        return cls(_opt_str(o, "id", "feedback_event.id") or "", _opt_int(o, "type", "feedback_event.type") or 0,
                   _opt_str(o, "content", "feedback_event.content") or "", reasons)


@dataclass(frozen=True, slots=True)
class BotEvent:
    """Something the user did other than writing: entered the chat, pressed a card button, rated a reply."""

    msg_id: str
    event_type: str  # EVENT_* (others are passed on as they come)
    from_user: str
    bot_id: str = ""
    chat_type: ChatType = "single"
    chat_id: str | None = None
    corp_id: str | None = None
    create_time: int | None = None
    card: CardClick | None = None  # template_card_event
    feedback: Feedback | None = None  # feedback_event
    response_url: str | None = field(default=None, repr=False)

    @property
    def conversation_id(self) -> str:
        return self.chat_id or self.from_user

    def to_obj(self) -> JsonObject:
        sender: JsonObject = {"userid": self.from_user}
        if self.corp_id is not None:
            sender["corpid"] = self.corp_id
        event: JsonObject = {"eventtype": self.event_type}
        if self.card is not None:
            event[EVENT_TEMPLATE_CARD] = self.card.to_obj()
        if self.feedback is not None:
            event[EVENT_FEEDBACK] = self.feedback.to_obj()
        out: JsonObject = {"msgid": self.msg_id, "aibotid": self.bot_id, "chattype": self.chat_type,
                           "from": sender, "msgtype": "event", "event": event}
        if self.chat_id is not None:
            out["chatid"] = self.chat_id
        if self.create_time is not None:
            out["create_time"] = self.create_time
        if self.response_url is not None:
            out["response_url"] = self.response_url
        return out

    @classmethod
    def from_obj(cls, body: JsonObject) -> BotEvent:
        event = _obj(body.get("event"), "body.event")
        event_type = _str(event, "eventtype", "body.event.eventtype")
        sender = _opt_obj(body, "from", "body.from") or {}
        return cls(
            msg_id=_str(body, "msgid", "body.msgid"),
            event_type=event_type,
            # disconnected_event may come without a user; every user event has one [W]
            from_user=_opt_str(sender, "userid", "body.from.userid") or "",
            bot_id=_opt_str(body, "aibotid", "body.aibotid") or "",
            chat_type=_chat_type(body, "body.chattype"),
            chat_id=_opt_str(body, "chatid", "body.chatid") or None,
            corp_id=_opt_str(sender, "corpid", "body.from.corpid") or None,
            create_time=_opt_int(body, "create_time", "body.create_time"),
            card=CardClick.from_obj(event) if event_type == EVENT_TEMPLATE_CARD else None,
            feedback=Feedback.from_obj(event) if event_type == EVENT_FEEDBACK else None,
            response_url=_opt_str(body, "response_url", "body.response_url") or None,
        )


@dataclass(frozen=True, slots=True)
class EventCallback:
    req_id: str
    event: BotEvent

    def to_json(self) -> str:
        return _frame(CMD_EVENT_CALLBACK, self.req_id, self.event.to_obj())

    @classmethod
    def from_json(cls, raw: str | bytes) -> EventCallback:
        req_id, body = _expect(raw, CMD_EVENT_CALLBACK)
        return cls(req_id, BotEvent.from_obj(body))


Inbound: TypeAlias = "Ack | MessageCallback | EventCallback"


def parse_inbound(raw: str | bytes) -> Inbound:
    """Any frame the platform sends us. Raises FrameError (detail names the problem, never the content)."""
    o = _load(raw)
    cmd, req_id, body = _envelope(o)
    if cmd == CMD_MSG_CALLBACK:
        if body is None:
            raise FrameError("no_body")
        return MessageCallback(req_id, BotMessage.from_obj(body))
    if cmd == CMD_EVENT_CALLBACK:
        if body is None:
            raise FrameError("no_body")
        return EventCallback(req_id, BotEvent.from_obj(body))
    return Ack.from_obj(o)  # answers carry no cmd [S]; an echoed cmd is tolerated


# ---- what we send: template cards, reply and push bodies ----

@dataclass(frozen=True, slots=True)
class CardButton:
    text: str
    key: str  # comes back as CardClick.event_key
    style: int | None = None  # 1..4


@dataclass(frozen=True, slots=True)
class CardField:
    keyname: str
    value: str


@dataclass(frozen=True, slots=True)
class TemplateCard:
    """The template card fields a shop-floor assistant uses, typed; any other documented TemplateCard key [W] goes in
    `extra` as JSON and is passed through. button_interaction needs `buttons` and `task_id`; text_notice needs a
    `card_action`: give `url`, or put your own `card_action` in `extra`."""

    card_type: CardType
    title: str | None = None  # main_title.title
    desc: str | None = None  # main_title.desc
    sub_title: str | None = None  # sub_title_text
    fields: tuple[CardField, ...] = ()  # horizontal_content_list (<= 6)
    buttons: tuple[CardButton, ...] = ()  # button_list (<= 6)
    task_id: str | None = None  # unique per bot; [0-9A-Za-z_-@], <= 128 bytes; comes back as CardClick.task_id
    url: str | None = None  # card_action {type: 1, url}
    feedback_id: str | None = None
    extra: Mapping[str, Json] = field(default_factory=dict)

    def to_obj(self) -> JsonObject:
        out: JsonObject = dict(self.extra)
        out["card_type"] = self.card_type
        if self.title is not None or self.desc is not None:
            title: JsonObject = {}
            if self.title is not None:
                title["title"] = self.title
            if self.desc is not None:
                title["desc"] = self.desc
            out["main_title"] = title
        if self.sub_title is not None:
            out["sub_title_text"] = self.sub_title
        if self.fields:
            out["horizontal_content_list"] = [{"keyname": f.keyname, "value": f.value} for f in self.fields]
        if self.buttons:
            buttons: list[Json] = []
            for b in self.buttons:
                button: JsonObject = {"text": b.text, "key": b.key}
                if b.style is not None:
                    button["style"] = b.style
                buttons.append(button)
            out["button_list"] = buttons
        if self.task_id is not None:
            out["task_id"] = self.task_id
        if self.url is not None:
            out["card_action"] = {"type": 1, "url": self.url}
        if self.feedback_id is not None:
            out["feedback"] = {"id": self.feedback_id}
        return out

    @classmethod
    def from_obj(cls, value: Json) -> TemplateCard:
        o = dict(_obj(value, "template_card"))
        card_type = _str(o, "card_type", "template_card.card_type")
        if card_type not in ("text_notice", "news_notice", "button_interaction", "vote_interaction",
                             "multiple_interaction"):
            raise FrameError("bad_field:template_card.card_type")
        main = _opt_obj(o, "main_title", "template_card.main_title") or {}
        fields: list[CardField] = []
        for item in _list(o, "horizontal_content_list", "template_card.horizontal_content_list"):
            f_obj = _obj(item, "horizontal_content_list[]")
            fields.append(CardField(_str(f_obj, "keyname", "keyname"), _opt_str(f_obj, "value", "value") or ""))
        buttons: list[CardButton] = []
        for item in _list(o, "button_list", "template_card.button_list"):
            b_obj = _obj(item, "button_list[]")
            buttons.append(CardButton(_str(b_obj, "text", "text"), _str(b_obj, "key", "key"),
                                      _opt_int(b_obj, "style", "style")))
        action = _opt_obj(o, "card_action", "template_card.card_action")
        url = _opt_str(action, "url", "card_action.url") if action and action.get("type") == 1 else None
        feedback = _opt_obj(o, "feedback", "template_card.feedback")
        known = {"card_type", "main_title", "sub_title_text", "horizontal_content_list", "button_list", "task_id",
                 "feedback"} | ({"card_action"} if url is not None else set())
        return cls(
            card_type=cast(CardType, card_type),
            title=_opt_str(main, "title", "main_title.title"),
            desc=_opt_str(main, "desc", "main_title.desc"),
            sub_title=_opt_str(o, "sub_title_text", "template_card.sub_title_text"),
            fields=tuple(fields),
            buttons=tuple(buttons),
            task_id=_opt_str(o, "task_id", "template_card.task_id"),
            url=url,
            feedback_id=_opt_str(feedback, "id", "feedback.id") if feedback else None,
            extra={k: v for k, v in o.items() if k not in known},
        )


@dataclass(frozen=True, slots=True)
class ReplyImage:
    """An image shown at the end of a finished stream reply [W]: base64 of the bytes (JPG/PNG, <= 10 MB) and their
    md5."""

    base64: str = field(repr=False)
    md5: str

    @classmethod
    def of(cls, data: bytes) -> ReplyImage:
        return cls(base64.b64encode(data).decode(), hashlib.md5(data, usedforsecurity=False).hexdigest())


@dataclass(frozen=True, slots=True)
class StreamReply:
    """One stream update: `content` is the whole answer so far, not a delta [W]. With `card`, the body becomes
    stream_with_template_card (the card may be sent once per message)."""

    stream_id: str
    content: str
    finish: bool = False
    feedback_id: str | None = None  # first update only
    images: tuple[ReplyImage, ...] = ()  # only with finish=True, at most 10
    card: TemplateCard | None = None

    def to_obj(self) -> JsonObject:
        if self.images and not self.finish:
            raise WeComBotError(FRAME_INVALID, detail="stream images need finish=true")
        if len(self.images) > STREAM_IMAGES_MAX:
            raise WeComBotError(FRAME_INVALID, detail="stream images > 10")
        if len(self.content.encode()) > STREAM_CONTENT_MAX_BYTES:
            raise WeComBotError(FRAME_INVALID, detail="stream content > 20480 bytes")
        stream: JsonObject = {"id": self.stream_id, "finish": self.finish, "content": self.content}
        if self.images:
            stream["msg_item"] = [{"msgtype": "image", "image": {"base64": i.base64, "md5": i.md5}}
                                  for i in self.images]
        if self.feedback_id is not None:
            stream["feedback"] = {"id": self.feedback_id}
        if self.card is None:
            return {"msgtype": "stream", "stream": stream}
        return {"msgtype": "stream_with_template_card", "stream": stream, "template_card": self.card.to_obj()}

    @classmethod
    def from_obj(cls, o: JsonObject) -> StreamReply:
        stream = _obj(o.get("stream"), "body.stream")
        images: list[ReplyImage] = []
        for n, item in enumerate(_list(stream, "msg_item", "body.stream.msg_item")):
            image = _obj(_obj(item, f"msg_item[{n}]").get("image"), f"msg_item[{n}].image")
            images.append(ReplyImage(_str(image, "base64", "image.base64"), _str(image, "md5", "image.md5")))
        feedback = _opt_obj(stream, "feedback", "body.stream.feedback")
        card = o.get("template_card")
        return cls(stream_id=_str(stream, "id", "body.stream.id"),
                   content=_opt_str(stream, "content", "body.stream.content") or "",
                   finish=stream.get("finish") is True,
                   feedback_id=_opt_str(feedback, "id", "feedback.id") if feedback else None,
                   images=tuple(images),
                   card=None if card is None else TemplateCard.from_obj(card))


@dataclass(frozen=True, slots=True)
class CardBody:
    """A template card as a whole reply, welcome or push."""

    card: TemplateCard

    def to_obj(self) -> JsonObject:
        return {"msgtype": "template_card", "template_card": self.card.to_obj()}


@dataclass(frozen=True, slots=True)
class TextBody:
    """Plain text: the welcome reply only [W]."""

    content: str

    def to_obj(self) -> JsonObject:
        return {"msgtype": "text", "text": {"content": self.content}}


@dataclass(frozen=True, slots=True)
class MarkdownBody:
    """Markdown: proactive pushes only (a reply to a message is a stream) [S]."""

    content: str

    def to_obj(self) -> JsonObject:
        return {"msgtype": "markdown", "markdown": {"content": self.content}}


Body: TypeAlias = "StreamReply | CardBody | TextBody | MarkdownBody"


def _body_from_obj(o: JsonObject) -> Body:
    msgtype = _str(o, "msgtype", "body.msgtype")
    if msgtype in ("stream", "stream_with_template_card"):
        return StreamReply.from_obj(o)
    if msgtype == "template_card":
        return CardBody(TemplateCard.from_obj(o.get("template_card")))
    if msgtype == "text":
        return TextBody(_opt_str(_obj(o.get("text"), "body.text"), "content", "body.text.content") or "")
    if msgtype == "markdown":
        return MarkdownBody(_opt_str(_obj(o.get("markdown"), "body.markdown"), "content", "body.markdown.content")
                            or "")
    raise FrameError("bad_field:body.msgtype")


@dataclass(frozen=True, slots=True)
class Respond:
    """aibot_respond_msg: answer a message callback (stream updates or a template card), same req_id."""

    req_id: str
    body: StreamReply | CardBody

    def to_json(self) -> str:
        return _frame(CMD_RESPOND, self.req_id, self.body.to_obj())

    @classmethod
    def from_json(cls, raw: str | bytes) -> Respond:
        req_id, o = _expect(raw, CMD_RESPOND)
        body = _body_from_obj(o)
        if not isinstance(body, StreamReply | CardBody):
            raise FrameError("bad_field:body.msgtype")
        return cls(req_id, body)


@dataclass(frozen=True, slots=True)
class RespondWelcome:
    """aibot_respond_welcome_msg: answer an enter_chat event, within 5 s [S]."""

    req_id: str
    body: TextBody | CardBody

    def to_json(self) -> str:
        return _frame(CMD_RESPOND_WELCOME, self.req_id, self.body.to_obj())

    @classmethod
    def from_json(cls, raw: str | bytes) -> RespondWelcome:
        req_id, o = _expect(raw, CMD_RESPOND_WELCOME)
        body = _body_from_obj(o)
        if not isinstance(body, TextBody | CardBody):
            raise FrameError("bad_field:body.msgtype")
        return cls(req_id, body)


@dataclass(frozen=True, slots=True)
class RespondUpdateCard:
    """aibot_respond_update_msg: replace the clicked card (for `userids`, or everyone), within 5 s [S][W]."""

    req_id: str
    card: TemplateCard
    userids: tuple[str, ...] = ()

    def to_json(self) -> str:
        body: JsonObject = {"response_type": "update_template_card", "template_card": self.card.to_obj()}
        if self.userids:
            body["userids"] = list(self.userids)
        return _frame(CMD_RESPOND_UPDATE, self.req_id, body)

    @classmethod
    def from_json(cls, raw: str | bytes) -> RespondUpdateCard:
        req_id, o = _expect(raw, CMD_RESPOND_UPDATE)
        if o.get("response_type") != "update_template_card":
            raise FrameError("bad_field:body.response_type")
        userids = tuple(u for u in _list(o, "userids", "body.userids") if isinstance(u, str))
        return cls(req_id, TemplateCard.from_obj(o.get("template_card")), userids)


@dataclass(frozen=True, slots=True)
class SendMessage:
    """aibot_send_msg: a proactive push to a conversation (user id for a single chat, chatid for a group) [S]."""

    req_id: str
    chat_id: str
    body: MarkdownBody | CardBody

    def to_json(self) -> str:
        return _frame(CMD_SEND, self.req_id, {"chatid": self.chat_id, **self.body.to_obj()})

    @classmethod
    def from_json(cls, raw: str | bytes) -> SendMessage:
        req_id, o = _expect(raw, CMD_SEND)
        body = _body_from_obj(o)
        if not isinstance(body, MarkdownBody | CardBody):
            raise FrameError("bad_field:body.msgtype")
        return cls(req_id, _str(o, "chatid", "body.chatid"), body)


Outbound: TypeAlias = "Subscribe | Ping | Respond | RespondWelcome | RespondUpdateCard | SendMessage"

_OUTBOUND: dict[str, type[Subscribe | Ping | Respond | RespondWelcome | RespondUpdateCard | SendMessage]] = {
    CMD_SUBSCRIBE: Subscribe, CMD_PING: Ping, CMD_RESPOND: Respond, CMD_RESPOND_WELCOME: RespondWelcome,
    CMD_RESPOND_UPDATE: RespondUpdateCard, CMD_SEND: SendMessage,
}


def parse_outbound(raw: str | bytes) -> Outbound:
    """Any frame a bot sends the platform (the fake platform's side of the wire)."""
    cmd, _, _ = _envelope(_load(raw))
    kind = _OUTBOUND.get(cmd or "")
    if kind is None:
        raise FrameError("unknown_cmd")
    return kind.from_json(raw)
