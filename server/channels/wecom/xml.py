"""WeCom callback XML: the outer encrypted envelope, the decrypted message, and the passive text reply.

Parsing goes through defusedxml with DTDs forbidden outright: WeCom never sends one, and a DTD is how entity
expansion (billion laughs) and external entities get in. Field names follow WeCom's "接收消息与事件" pages: every
message has ToUserName (the corp id), FromUserName (the member's UserID), CreateTime, MsgType and AgentID; text has
Content and MsgId; image PicUrl, MediaId and MsgId; voice MediaId, Format (e.g. "amr") and MsgId; events carry Event
and EventKey, and a template card button click comes as Event "template_card_event" with EventKey (the button's key),
TaskId (the card's task_id), CardType and ResponseCode (one use of update_template_card, 72 hours)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import structlog
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

log = structlog.get_logger(__name__)

MAX_XML_BYTES = 1 << 20  # a callback is a few hundred bytes; anything near this is not WeCom
TEXT_REPLY_MAX_BYTES = 2048  # WeCom truncates a passive text reply's Content past this


class WeComXmlError(Exception):
    """A callback body that is not the XML WeCom sends. `code` is one of: "too-large", "xml-forbidden" (a DTD or
    entity declaration), "xml-malformed", "root-invalid", "field-missing", "field-invalid"."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class WeComEnvelope:
    """The POST body around an encrypted message: `encrypt` goes to `WeComCrypto.decrypt`."""

    to_user: str
    encrypt: str
    agent_id: str | None = None


@dataclass(frozen=True)
class WeComMessage:
    """One decrypted message or event. `msg_type` is WeCom's MsgType as sent ("text", "image", "voice", "event",
    and others such as "video", "location", "link" kept as they are); fields a type does not carry are None.
    `extra` keeps the other top-level simple elements of the message (tag, text), in document order."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    agent_id: int | None = None
    msg_id: str | None = None
    content: str | None = None
    media_id: str | None = None
    format: str | None = None
    pic_url: str | None = None
    event: str | None = None
    event_key: str | None = None
    task_id: str | None = None
    card_type: str | None = None
    response_code: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def is_card_click(self) -> bool:
        return self.msg_type == "event" and self.event == "template_card_event"


_KNOWN = {
    "ToUserName", "FromUserName", "CreateTime", "MsgType", "AgentID", "MsgId", "Content", "MediaId", "Format",
    "PicUrl", "Event", "EventKey", "TaskId", "CardType", "ResponseCode",
}


def _root(body: bytes | str) -> ElementTree.Element:
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_XML_BYTES:
        raise WeComXmlError("too-large", f"{size} bytes")
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        log.warning("wecom.xml.forbidden", kind=type(exc).__name__)
        raise WeComXmlError("xml-forbidden", type(exc).__name__) from None
    except ElementTree.ParseError as exc:
        raise WeComXmlError("xml-malformed", str(exc)) from None
    if root.tag != "xml":
        raise WeComXmlError("root-invalid", root.tag)
    return root


def _fields(root: ElementTree.Element, *, raw: frozenset[str] = frozenset()) -> dict[str, str]:
    """Top-level simple elements (the first of each tag), text stripped of the whitespace around it (WeCom's samples
    indent) except for the tags in `raw`, kept as sent."""
    fields: dict[str, str] = {}
    for child in root:
        if len(child) == 0 and isinstance(child.tag, str) and child.tag not in fields:
            text = child.text or ""
            fields[child.tag] = text if child.tag in raw else text.strip()
    return fields


def _required(fields: dict[str, str], tag: str) -> str:
    value = fields.get(tag)
    if not value:
        raise WeComXmlError("field-missing", tag)
    return value


def _integer(fields: dict[str, str], tag: str) -> int | None:
    value = fields.get(tag)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit():
        raise WeComXmlError("field-invalid", tag)
    return int(value)


def parse_envelope(body: bytes | str) -> WeComEnvelope:
    """The outer `<xml><ToUserName/><Encrypt/><AgentID/></xml>` of a callback POST."""
    fields = _fields(_root(body))
    return WeComEnvelope(to_user=fields.get("ToUserName", ""), encrypt=_required(fields, "Encrypt"),
                         agent_id=fields.get("AgentID") or None)


def parse_message(plaintext: bytes | str) -> WeComMessage:
    """A decrypted message or event."""
    # Content is kept as sent: a text message may begin or end with spaces on purpose
    fields = _fields(_root(plaintext), raw=frozenset({"Content"}))
    create_time = _integer(fields, "CreateTime")
    if create_time is None:
        raise WeComXmlError("field-missing", "CreateTime")

    def optional(tag: str) -> str | None:
        return fields.get(tag) or None

    return WeComMessage(
        to_user=_required(fields, "ToUserName"),
        from_user=_required(fields, "FromUserName"),
        create_time=create_time,
        msg_type=_required(fields, "MsgType"),
        agent_id=_integer(fields, "AgentID"),
        msg_id=optional("MsgId"),
        content=fields.get("Content"),
        media_id=optional("MediaId"),
        format=optional("Format"),
        pic_url=optional("PicUrl"),
        event=optional("Event"),
        event_key=fields.get("EventKey") if "EventKey" in fields else None,
        task_id=optional("TaskId"),
        card_type=optional("CardType"),
        response_code=optional("ResponseCode"),
        extra=tuple((tag, value) for tag, value in fields.items() if tag not in _KNOWN),
    )


# Characters XML 1.0 cannot carry at all (C0 controls but tab, CR, LF; surrogates; U+FFFE/U+FFFF): dropped from
# replies rather than sending WeCom a document it would reject.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cdata(value: str) -> str:
    """`value` as CDATA, split where it holds the CDATA terminator, without characters XML cannot carry."""
    return "<![CDATA[" + _NOT_XML.sub("", value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """The plaintext of a passive text reply (to be sealed with `WeComCrypto.encrypted_reply_xml`): `to_user` is
    the member's UserID, `from_user` the corp id. WeCom cuts Content past 2048 bytes."""
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(create_time)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content></xml>")
