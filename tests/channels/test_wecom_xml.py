"""WeCom callback XML: each message type WeCom documents, the envelope, the passive reply, and hostile XML."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from server.channels.wecom.callback import open_callback, seal_text_reply
from server.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from server.channels.wecom.xml import (
    WeComMessage,
    WeComXmlError,
    cdata,
    parse_envelope,
    parse_message,
    text_reply_xml,
)

TEXT = """<xml>
   <ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>
   <FromUserName><![CDATA[zhangsan]]></FromUserName>
   <CreateTime>1348831860</CreateTime>
   <MsgType><![CDATA[text]]></MsgType>
   <Content><![CDATA[ 入库 3 箱 M8 螺栓 ]]></Content>
   <MsgId>1234567890123456</MsgId>
   <AgentID>1000002</AgentID>
</xml>"""

IMAGE = """<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName>
<CreateTime>1348831860</CreateTime><MsgType><![CDATA[image]]></MsgType>
<PicUrl><![CDATA[https://wework.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[media_img_1]]></MediaId>
<MsgId>1234567890123457</MsgId><AgentID>1</AgentID></xml>"""

VOICE = """<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName>
<CreateTime>1357290913</CreateTime><MsgType><![CDATA[voice]]></MsgType>
<MediaId><![CDATA[media_voice_1]]></MediaId><Format><![CDATA[amr]]></Format>
<MsgId>1234567890123458</MsgId><AgentID>1</AgentID></xml>"""

ENTER_AGENT = """<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>1408091189</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event>
<EventKey><![CDATA[]]></EventKey><AgentID>1</AgentID></xml>"""

CARD_CLICK = """<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[template_card_event]]></Event>
<EventKey><![CDATA[confirm:42]]></EventKey>
<TaskId><![CDATA[task-42]]></TaskId>
<CardType><![CDATA[button_interaction]]></CardType>
<ResponseCode><![CDATA[ResponseCode]]></ResponseCode>
<AgentID>1</AgentID>
</xml>"""

VIDEO = """<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[u]]></FromUserName>
<CreateTime>1357290913</CreateTime><MsgType><![CDATA[video]]></MsgType><MediaId><![CDATA[m]]></MediaId>
<ThumbMediaId><![CDATA[thumb]]></ThumbMediaId><MsgId>1</MsgId><AgentID>1</AgentID></xml>"""


def test_text_message() -> None:
    message = parse_message(TEXT)
    assert message == WeComMessage(to_user="ww1436e0e65a779aee", from_user="zhangsan", create_time=1348831860,
                                   msg_type="text", content=" 入库 3 箱 M8 螺栓 ", msg_id="1234567890123456",
                                   agent_id=1000002)
    assert not message.is_card_click


def test_text_message_from_bytes() -> None:
    assert parse_message(TEXT.encode()).content == " 入库 3 箱 M8 螺栓 "


def test_image_message() -> None:
    message = parse_message(IMAGE)
    assert (message.msg_type, message.media_id, message.pic_url, message.msg_id) == \
        ("image", "media_img_1", "https://wework.qpic.cn/x.jpg", "1234567890123457")
    assert message.content is None and message.format is None


def test_voice_message() -> None:
    message = parse_message(VOICE)
    assert (message.msg_type, message.media_id, message.format, message.agent_id) == \
        ("voice", "media_voice_1", "amr", 1)


def test_event() -> None:
    message = parse_message(ENTER_AGENT)
    assert (message.msg_type, message.event, message.event_key, message.msg_id) == \
        ("event", "enter_agent", "", None)


def test_template_card_click() -> None:
    message = parse_message(CARD_CLICK)
    assert message.is_card_click
    assert (message.event_key, message.task_id, message.card_type, message.response_code) == \
        ("confirm:42", "task-42", "button_interaction", "ResponseCode")


def test_other_types_are_kept_as_sent() -> None:
    message = parse_message(VIDEO)
    assert message.msg_type == "video" and message.media_id == "m"
    assert message.extra == (("ThumbMediaId", "thumb"),)


def test_envelope() -> None:
    body = ("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt>"
            "<AgentID><![CDATA[218]]></AgentID></xml>")
    envelope = parse_envelope(body.encode())
    assert (envelope.to_user, envelope.encrypt, envelope.agent_id) == ("wx5823bf96d3bd56c7", "abc+/=", "218")


@pytest.mark.parametrize(("body", "code"), [
    ("<xml><ToUserName>x</ToUserName></xml>", "field-missing"),
    ("<xml><Encrypt></Encrypt></xml>", "field-missing"),
    ("<notxml><Encrypt>a</Encrypt></notxml>", "root-invalid"),
    ("<xml><Encrypt>a</Encrypt>", "xml-malformed"),
    ("", "xml-malformed"),
    ("not xml at all", "xml-malformed"),
])
def test_bad_envelopes(body: str, code: str) -> None:
    with pytest.raises(WeComXmlError) as caught:
        parse_envelope(body)
    assert caught.value.code == code


@pytest.mark.parametrize(("body", "code"), [
    (TEXT.replace("<CreateTime>1348831860</CreateTime>", ""), "field-missing"),
    (TEXT.replace("1348831860", "yesterday"), "field-invalid"),
    (TEXT.replace("<AgentID>1000002</AgentID>", "<AgentID>abc</AgentID>"), "field-invalid"),
    (TEXT.replace("<![CDATA[zhangsan]]>", ""), "field-missing"),
    (TEXT.replace("<MsgType><![CDATA[text]]></MsgType>", ""), "field-missing"),
])
def test_bad_messages(body: str, code: str) -> None:
    with pytest.raises(WeComXmlError) as caught:
        parse_message(body)
    assert caught.value.code == code


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol9;</Content></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content></xml>"""

BARE_DOCTYPE = '<?xml version="1.0"?><!DOCTYPE xml><xml><Encrypt>a</Encrypt></xml>'


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, BARE_DOCTYPE])
def test_hostile_xml_is_refused(body: str) -> None:
    for parse in (parse_message, parse_envelope):
        with pytest.raises(WeComXmlError) as caught:
            parse(body)
        assert caught.value.code == "xml-forbidden"


def test_oversized_body_is_refused_unparsed() -> None:
    with pytest.raises(WeComXmlError) as caught:
        parse_envelope("<xml><Encrypt>" + "A" * (1 << 20) + "</Encrypt></xml>")
    assert caught.value.code == "too-large"


def test_text_reply_xml() -> None:
    reply = text_reply_xml("zhangsan", "ww1", "已入库 ]]> <b>&amp; \x00\x07 ✓", 1700000000)
    root = fromstring(reply)
    assert [child.tag for child in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
    values = {child.tag: child.text for child in root}
    assert values == {"ToUserName": "zhangsan", "FromUserName": "ww1", "CreateTime": "1700000000",
                      "MsgType": "text", "Content": "已入库 ]]> <b>&amp;  ✓"}


def test_cdata_splits_the_terminator() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    assert fromstring(f"<x>{cdata('a]]>b]]>')}</x>").text == "a]]>b]]>"


def test_callback_round_trip_with_passive_reply() -> None:
    crypto = WeComCrypto("tok", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww1", clock=lambda: 1700000000)
    encrypted = crypto.encrypt(TEXT.replace("ww1436e0e65a779aee", "ww1").encode())
    signature = crypto.signature("1700000000", "abc", encrypted)
    body = f"<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    message = open_callback(crypto, signature, "1700000000", "abc", body.encode())
    assert message.from_user == "zhangsan" and message.content == " 入库 3 箱 M8 螺栓 "

    reply = seal_text_reply(crypto, message, "好的", "1700000001", "xyz")
    root = {child.tag: child.text or "" for child in fromstring(reply)}
    plain = parse_message(crypto.decrypt(root["MsgSignature"], root["TimeStamp"], root["Nonce"], root["Encrypt"]))
    assert (plain.to_user, plain.from_user, plain.content, plain.create_time) == ("zhangsan", "ww1", "好的",
                                                                                  1700000001)
    with pytest.raises(WeComCryptoError):
        open_callback(crypto, signature, "1700000000", "abd", body.encode())
    with pytest.raises(WeComCryptoError):
        seal_text_reply(crypto, message, "x", "now", "n")
