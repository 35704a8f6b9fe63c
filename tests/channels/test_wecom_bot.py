"""The WeCom intelligent-bot long connection: frame shapes (against the documented samples), media decryption, and
the client against a fake platform on loopback."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from structlog.testing import capture_logs

from server.channels.wecom.bot_client import BotStatus, Reply, WeComBotClient
from server.channels.wecom.bot_errors import (
    AUTH_FAILED,
    CONNECTION_LOST,
    FRAME_INVALID,
    MEDIA_DECRYPT_FAILED,
    MEDIA_HOST_NOT_ALLOWED,
    MEDIA_TOO_LARGE,
    NOT_CONNECTED,
    REJECTED,
    SUPERSEDED,
    FrameError,
    WeComBotError,
)
from server.channels.wecom.bot_frames import (
    Ack,
    BotEvent,
    BotMessage,
    CardBody,
    CardButton,
    CardClick,
    CardField,
    EventCallback,
    MarkdownBody,
    Media,
    MessageCallback,
    Outbound,
    Ping,
    ReplyImage,
    Respond,
    RespondUpdateCard,
    RespondWelcome,
    SelectedItem,
    SendMessage,
    StreamReply,
    Subscribe,
    TemplateCard,
    TextBody,
    parse_inbound,
    parse_outbound,
)
from server.channels.wecom.bot_media import MediaFetcher, decrypt_media, encrypt_media
from tests.channels.fake_wecom_bot import AUTH_ERRCODE, FakeWeComBotPlatform

BOT_ID, SECRET = "bot-plant-7", "sEcReT-do-not-log-42"
MEDIA_HOST = "ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com"


def frame(cmd: str | None, body: dict[str, object] | None = None, req_id: str = "REQ1", **top: object) -> str:
    out: dict[str, object] = {"headers": {"req_id": req_id}, **top}
    if cmd is not None:
        out["cmd"] = cmd
    if body is not None:
        out["body"] = body
    return json.dumps(out, ensure_ascii=False)


# ---- frames, against the documented samples (developer.work.weixin.qq.com 100719 / 101027, WeCom's Node SDK) ----

def test_documented_group_text_message_with_quote() -> None:
    parsed = parse_inbound(frame("aibot_msg_callback", {
        "msgid": "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", "aibotid": "AIBOTID", "chatid": "CHATID", "chattype": "group",
        "from": {"userid": "USERID"}, "response_url": "RESPONSEURL", "msgtype": "text",
        "text": {"content": "@RobotA hello robot"},
        "quote": {"msgtype": "text", "text": {"content": "这是今日的测试情况"}},
    }))
    assert isinstance(parsed, MessageCallback) and parsed.req_id == "REQ1"
    m = parsed.message
    assert (m.msg_id, m.bot_id, m.chat_type, m.chat_id, m.from_user) == (
        "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", "AIBOTID", "group", "CHATID", "USERID")
    assert m.msgtype == "text" and m.text == "@RobotA hello robot" and m.conversation_id == "CHATID"
    assert m.quote is not None and m.quote.text == "这是今日的测试情况"
    assert m.response_url == "RESPONSEURL" and "RESPONSEURL" not in repr(m)


def test_mixed_message_keeps_its_parts_in_order_with_each_images_key() -> None:
    m = parse_inbound(frame("aibot_msg_callback", {
        "msgid": "m1", "aibotid": "B", "chattype": "single", "from": {"userid": "U"}, "msgtype": "mixed",
        "mixed": {"msg_item": [
            {"msgtype": "text", "text": {"content": "这批货"}},
            {"msgtype": "image", "image": {"url": f"https://{MEDIA_HOST}/a?sign=x", "aeskey": "KEY1"}},
            {"msgtype": "text", "text": {"content": "破损了"}},
            {"msgtype": "image", "image": {"url": f"https://{MEDIA_HOST}/b?sign=y", "aeskey": "KEY2"}},
        ]},
    }))
    assert isinstance(m, MessageCallback)
    assert [p.kind for p in m.message.parts] == ["text", "image", "text", "image"]
    assert m.message.text == "这批货\n破损了"
    assert [x.aes_key for x in m.message.media] == ["KEY1", "KEY2"]
    assert m.message.conversation_id == "U"  # single chat: pushes go to the user id
    assert "KEY1" not in repr(m) and "sign=x" not in repr(m)  # signed URLs and keys are credentials


@pytest.mark.parametrize("voice", [{"content": "入库十箱"}, {"text": "入库十箱"}])
def test_voice_message_is_the_platforms_recognised_text(voice: dict[str, str]) -> None:
    m = parse_inbound(frame("aibot_msg_callback", {
        "msgid": "m2", "aibotid": "B", "chattype": "single", "from": {"userid": "U"}, "msgtype": "voice",
        "voice": voice}))
    assert isinstance(m, MessageCallback)
    assert m.message.msgtype == "voice" and m.message.text == "入库十箱" and m.message.media == ()


def test_image_file_and_unknown_message_types() -> None:
    for msgtype in ("image", "file", "video"):
        m = parse_inbound(frame("aibot_msg_callback", {
            "msgid": "m", "chattype": "single", "from": {"userid": "U"}, "msgtype": msgtype,
            msgtype: {"url": f"https://{MEDIA_HOST}/x", "aeskey": "K"}}))
        assert isinstance(m, MessageCallback)
        assert m.message.msgtype == msgtype and m.message.media == (Media(f"https://{MEDIA_HOST}/x", "K"),)
    other = parse_inbound(frame("aibot_msg_callback", {
        "msgid": "m", "chattype": "single", "from": {"userid": "U"}, "msgtype": "location", "location": {}}))
    assert isinstance(other, MessageCallback)
    assert other.message.msgtype == "other" and other.message.raw_msgtype == "location"


def test_template_card_click_nested_as_documented_and_flat_as_the_node_sdk_types_it() -> None:
    nested = parse_inbound(frame("aibot_event_callback", {
        "msgid": "e1", "create_time": 1700000000, "aibotid": "B", "from": {"corpid": "C", "userid": "U"},
        "chatid": "G", "chattype": "group", "response_url": "R", "msgtype": "event",
        "event": {"eventtype": "template_card_event", "template_card_event": {
            "card_type": "button_interaction", "event_key": "approve", "task_id": "task-9",
            "selected_items": {"selected_item": [
                {"question_key": "q1", "option_ids": {"option_id": ["o1", "o2"]}}]}}},
    }))
    assert isinstance(nested, EventCallback)
    e = nested.event
    assert (e.event_type, e.from_user, e.corp_id, e.chat_id, e.create_time) == (
        "template_card_event", "U", "C", "G", 1700000000)
    assert e.card == CardClick("button_interaction", "approve", "task-9", (SelectedItem("q1", ("o1", "o2")),))
    flat = parse_inbound(frame("aibot_event_callback", {
        "msgid": "e2", "from": {"userid": "U"}, "msgtype": "event",
        "event": {"eventtype": "template_card_event", "event_key": "approve", "task_id": "task-9"}}))
    assert isinstance(flat, EventCallback) and flat.event.card is not None
    assert (flat.event.card.event_key, flat.event.card.task_id) == ("approve", "task-9")


def test_enter_chat_without_chattype_and_feedback_events() -> None:
    enter = parse_inbound(frame("aibot_event_callback", {
        "msgid": "e3", "create_time": 1700000000, "aibotid": "B", "from": {"corpid": "wpx", "userid": "U"},
        "msgtype": "event", "event": {"eventtype": "enter_chat"}}))
    assert isinstance(enter, EventCallback)
    assert enter.event.event_type == "enter_chat" and enter.event.chat_type == "single"
    assert enter.event.conversation_id == "U"
    rated = parse_inbound(frame("aibot_event_callback", {
        "msgid": "e4", "from": {"userid": "U"}, "msgtype": "event", "event": {
            "eventtype": "feedback_event", "feedback_event": {
                "id": "FB", "type": 2, "content": "能再详细一些么", "inaccurate_reason_list": [2, 4]}}}))
    assert isinstance(rated, EventCallback) and rated.event.feedback is not None
    assert (rated.event.feedback.feedback_id, rated.event.feedback.type, rated.event.feedback.reasons) == (
        "FB", 2, (2, 4))


def test_answers_with_and_without_an_echoed_cmd() -> None:
    assert parse_inbound(frame(None, errcode=0, errmsg="ok")) == Ack("REQ1", 0, "ok")  # WeCom's SDK: no cmd
    assert parse_inbound(frame("aibot_subscribe", {"errcode": 40001, "errmsg": "bad"})) == Ack("REQ1", 40001, "bad")
    assert Ack.from_json(Ack("r", 7, "x").to_json()) == Ack("r", 7, "x")
    with pytest.raises(FrameError, match="ack_without_errcode"):
        parse_inbound(frame(None))


@pytest.mark.parametrize(("raw", "detail"), [
    ("not json at all 机密", "not_json"),
    ("[1, 2]", "not_an_object"),
    (json.dumps({"cmd": "aibot_msg_callback", "body": {}}), "bad_field:headers"),
    (frame("aibot_msg_callback"), "no_body"),
    (frame("aibot_msg_callback", {"msgid": "m", "from": {"userid": "U"}}), "bad_field:body.msgtype"),
    (frame("aibot_msg_callback", {"msgid": "m", "msgtype": "text", "text": {"content": "机密"}}),
     "bad_field:body.from"),
    (frame("aibot_msg_callback", {"msgid": "m", "from": {"userid": "U"}, "msgtype": "text", "chattype": "机密"}),
     "bad_field:body.chattype"),
    (frame("aibot_event_callback", {"msgid": "m", "event": {}}), "bad_field:body.event.eventtype"),
])
def test_malformed_frames_name_the_field_never_the_content(raw: str, detail: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_inbound(raw)
    assert caught.value.detail == detail and "机密" not in str(caught.value)


CARD = TemplateCard("button_interaction", title="领料审批", desc="M8 螺栓 × 200", sub_title="请确认",
                    fields=(CardField("申请人", "张三"),), buttons=(CardButton("批准", "approve", 1),
                                                                  CardButton("驳回", "reject", 2)),
                    task_id="req-42", feedback_id="fb-1", extra={"source": {"desc": "Frontline"}})


@pytest.mark.parametrize("outbound", [
    Subscribe("r1", BOT_ID, SECRET),
    Ping("r2"),
    Respond("r3", StreamReply("s1", "**库存**：200", finish=False, feedback_id="fb")),
    Respond("r3", StreamReply("s1", "done", finish=True, images=(ReplyImage.of(b"\x89PNG"),), card=CARD)),
    Respond("r4", CardBody(CARD)),
    RespondWelcome("r5", TextBody("你好，我是车间助手")),
    RespondWelcome("r5", CardBody(TemplateCard("text_notice", title="欢迎", url="https://example.com"))),
    RespondUpdateCard("r6", CARD, ("zhangsan",)),
    SendMessage("r7", "zhangsan", MarkdownBody("**低库存**：M8 螺栓")),
    SendMessage("r8", "group-1", CardBody(CARD)),
], ids=lambda o: type(o).__name__)
def test_outbound_frames_round_trip(outbound: Outbound) -> None:
    raw = outbound.to_json()
    assert parse_outbound(raw) == outbound
    assert type(outbound).from_json(raw) == outbound


def test_outbound_frames_have_the_documented_shape() -> None:
    assert json.loads(Subscribe("r1", "B", "S").to_json()) == {
        "cmd": "aibot_subscribe", "headers": {"req_id": "r1"}, "body": {"bot_id": "B", "secret": "S"}}
    assert json.loads(Ping("r2").to_json()) == {"cmd": "ping", "headers": {"req_id": "r2"}}
    assert json.loads(Respond("r3", StreamReply("s", "hi", True)).to_json()) == {
        "cmd": "aibot_respond_msg", "headers": {"req_id": "r3"},
        "body": {"msgtype": "stream", "stream": {"id": "s", "finish": True, "content": "hi"}}}
    assert json.loads(SendMessage("r4", "U", MarkdownBody("x")).to_json()) == {
        "cmd": "aibot_send_msg", "headers": {"req_id": "r4"},
        "body": {"chatid": "U", "msgtype": "markdown", "markdown": {"content": "x"}}}
    update = json.loads(RespondUpdateCard("r5", TemplateCard("button_interaction", task_id="t")).to_json())
    assert update["cmd"] == "aibot_respond_update_msg"
    assert update["body"] == {"response_type": "update_template_card",
                              "template_card": {"card_type": "button_interaction", "task_id": "t"}}
    card = json.loads(json.dumps(CardBody(CARD).to_obj()))
    assert card["template_card"]["button_list"][0] == {"text": "批准", "key": "approve", "style": 1}
    assert card["template_card"]["main_title"] == {"title": "领料审批", "desc": "M8 螺栓 × 200"}
    assert card["template_card"]["source"] == {"desc": "Frontline"}


def test_stream_reply_limits_and_secret_free_reprs() -> None:
    with pytest.raises(WeComBotError) as caught:
        Respond("r", StreamReply("s", "x", finish=False, images=(ReplyImage.of(b"x"),))).to_json()
    assert caught.value.code == FRAME_INVALID
    with pytest.raises(WeComBotError):
        Respond("r", StreamReply("s", "螺" * 7000, finish=True)).to_json()  # 21000 bytes of UTF-8
    assert SECRET not in repr(Subscribe("r", BOT_ID, SECRET))
    assert SECRET not in repr(WeComBotClient("ws://x", BOT_ID, SECRET, _ignore))


# ---- media ----

def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")  # 43 characters, padding stripped


def test_media_decrypts_the_platforms_aes_256_cbc_with_32_byte_padding() -> None:
    key = _key()
    for size in (0, 1, 31, 32, 33, 1000):
        plain = os.urandom(size)
        sealed = encrypt_media(plain, key)
        assert len(sealed) % 32 == 0 and decrypt_media(sealed, key) == plain
    with pytest.raises(WeComBotError) as caught:
        decrypt_media(encrypt_media(b"photo", key), _key())  # the wrong key shows as bad padding
    assert caught.value.code == MEDIA_DECRYPT_FAILED
    with pytest.raises(WeComBotError):
        decrypt_media(b"short", key)
    with pytest.raises(WeComBotError):
        decrypt_media(encrypt_media(b"x", key), base64.b64encode(b"16 bytes only!!!").decode())


async def test_media_fetch_downloads_from_allowed_hosts_only() -> None:
    key, photo = _key(), os.urandom(3000)
    seen: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"location": "https://evil.example/x"})
        if request.url.path == "/big":
            return httpx.Response(200, content=b"x" * 4096)
        return httpx.Response(200, content=encrypt_media(photo, key),
                              headers={"content-disposition": "attachment; filename*=UTF-8''%E5%9B%BE.jpg"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(respond)) as http:
        fetcher = MediaFetcher(http, max_bytes=4000)
        got = await fetcher.fetch(Media(f"https://{MEDIA_HOST}/BHoPdA3/757?sign=abc", key))
        assert got.data == photo and got.filename == "图.jpg"
        for url in (f"http://{MEDIA_HOST}/x", "https://evil.example/x", f"https://{MEDIA_HOST}.evil.example/x",
                    f"https://user@{MEDIA_HOST}/x"):
            with pytest.raises(WeComBotError) as caught:
                await fetcher.fetch(Media(url, key))
            assert caught.value.code == MEDIA_HOST_NOT_ALLOWED
        with pytest.raises(WeComBotError) as caught:
            await fetcher.fetch(Media(f"https://{MEDIA_HOST}/moved", key))
        assert caught.value.code == "media_download_failed"
        with pytest.raises(WeComBotError) as caught:
            await fetcher.fetch(Media(f"https://{MEDIA_HOST}/big", key))
        assert caught.value.code == MEDIA_TOO_LARGE
    assert not any("evil" in url for url in seen)


# ---- the client against the fake platform ----

async def _ignore(inbound: BotMessage | BotEvent, reply: Reply) -> None:
    return None


def make_client(platform: FakeWeComBotPlatform, handler: object = _ignore, **options: object) -> WeComBotClient:
    settings: dict[str, object] = {"backoff_base_s": 0.02, "backoff_max_s": 0.1, "subscribe_timeout_s": 2.0,
                                   "ack_timeout_s": 2.0, "open_timeout_s": 2.0}
    settings.update(options)
    secret = str(settings.pop("secret", SECRET))
    return WeComBotClient(platform.url, BOT_ID, secret, handler, **settings)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(client: WeComBotClient) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(client.run())
    try:
        yield task
    finally:
        await client.stop()
        with contextlib.suppress(WeComBotError):
            await asyncio.wait_for(task, 5)


async def echo(inbound: BotMessage | BotEvent, reply: Reply) -> None:
    if isinstance(inbound, BotMessage):
        await reply.markdown(f"收到：{inbound.text}")


async def test_subscribes_with_bot_id_and_secret() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform)
        async with running(client):
            await platform.wait_subscribed()
            await client.wait_subscribed(2)
            assert [(s.bot_id, s.secret) for s in platform.subscribes] == [(BOT_ID, SECRET)]
            assert client.status == BotStatus("subscribed", 1)


async def test_refused_subscribe_backs_off_then_gives_up_without_logging_the_secret() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret="the-right-one") as platform:
        client = make_client(platform, backoff_base_s=0.1, backoff_max_s=0.4, max_auth_failures=3)
        started = asyncio.get_running_loop().time()
        with capture_logs() as logs, pytest.raises(WeComBotError) as caught:
            await asyncio.wait_for(client.run(), 10)
        elapsed = asyncio.get_running_loop().time() - started
    assert caught.value.code == AUTH_FAILED and caught.value.errcode == AUTH_ERRCODE
    assert len(platform.subscribes) == 3 and platform.subscribed == 0
    assert elapsed >= 0.05 + 0.1  # two backoffs of at least half of 0.1 s and 0.2 s: no tight loop
    assert client.status.state == "stopped" and client.status.last_error == AUTH_FAILED
    assert any(e["event"] == "wecom_bot.connection_failed" and e["code"] == AUTH_FAILED for e in logs)
    assert SECRET not in repr(logs) and SECRET not in str(caught.value)


async def test_refused_subscribe_keeps_retrying_at_a_bounded_pace() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret="the-right-one") as platform:
        client = make_client(platform, backoff_base_s=0.05, backoff_max_s=0.2)
        async with running(client):
            await asyncio.sleep(0.8)
            assert 2 <= len(platform.subscribes) <= 10
            assert client.status.last_error == AUTH_FAILED and client.status.last_errcode == AUTH_ERRCODE


async def test_message_reaches_the_handler_and_the_reply_carries_its_req_id() -> None:
    got: list[BotMessage | BotEvent] = []

    async def handler(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        got.append(inbound)
        await echo(inbound, reply)

    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform,
        running(make_client(platform, handler)),
    ):
        await platform.wait_subscribed()
        req_id = await platform.push_text("M8 螺栓还有多少？", user="zhangsan", chat_id="group-7")
        [answer] = await platform.wait_replies(req_id, finished=True)
    assert isinstance(got[0], BotMessage) and got[0].text == "M8 螺栓还有多少？" and got[0].chat_id == "group-7"
    assert isinstance(answer, Respond) and answer.req_id == req_id
    assert answer.body == StreamReply(answer.body.stream_id, "收到：M8 螺栓还有多少？", finish=True)  # type: ignore[union-attr]


async def test_stream_updates_go_in_order_under_one_stream_id() -> None:
    async def handler(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        for text in ("正在查", "正在查库存", "正在查库存……M8 螺栓 200 个"):
            await reply.stream(text)
        await reply.stream("M8 螺栓：200 个", finish=True)

    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform,
        running(make_client(platform, handler)),
    ):
        await platform.wait_subscribed()
        req_id = await platform.push_text("查库存")
        replies = await platform.wait_replies(req_id, finished=True)
    bodies = [r.body for r in replies if isinstance(r, Respond) and isinstance(r.body, StreamReply)]
    assert [b.content for b in bodies] == ["正在查", "正在查库存", "正在查库存……M8 螺栓 200 个", "M8 螺栓：200 个"]
    assert [b.finish for b in bodies] == [False, False, False, True]
    assert len({b.stream_id for b in bodies}) == 1


async def test_heartbeat_pings_are_sent_after_subscribe() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform, heartbeat_s=0.05)
        async with running(client):
            await platform.wait_until(lambda: len(platform.pings) >= 3)
            assert platform.subscribed == 1 and client.status.state == "subscribed"
    assert isinstance(platform.frames[0], Subscribe) and len({p.req_id for p in platform.pings}) == len(platform.pings)


async def test_unanswered_heartbeat_means_a_dead_connection_and_a_reconnect() -> None:
    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET, answer_pings=False) as platform,
        running(make_client(platform, heartbeat_s=0.05)),
    ):
        await platform.wait_subscribed(2)
    assert platform.handshakes >= 2 and len(platform.pings) >= 2


async def test_reconnects_after_a_drop_and_subscribes_again() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform, echo)
        async with running(client):
            await platform.wait_subscribed()
            await platform.drop()
            await platform.wait_subscribed(2)
            assert client.status.last_error == CONNECTION_LOST
            req_id = await platform.push_text("还在吗")
            await platform.wait_replies(req_id, finished=True)
            assert client.status.subscriptions == 2
    assert [type(f).__name__ for f in platform.frames[:2]] == ["Subscribe", "Subscribe"]


async def test_refused_handshakes_are_retried_until_one_connects() -> None:
    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET, refuse_first=3) as platform,
        running(make_client(platform)),
    ):
        await platform.wait_subscribed()
    assert platform.refused == 3 and platform.handshakes == 1


async def test_a_raising_handler_costs_its_turn_not_the_connection() -> None:
    async def handler(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        if isinstance(inbound, BotMessage) and inbound.text == "boom":
            raise RuntimeError("handler bug")
        await echo(inbound, reply)

    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        with capture_logs() as logs:
            async with running(make_client(platform, handler)):
                await platform.wait_subscribed()
                await platform.push_text("boom")
                req_id = await platform.push_text("ok?")
                await platform.wait_replies(req_id, finished=True)
    assert platform.handshakes == 1
    assert any(e["event"] == "wecom_bot.handler_failed" for e in logs)


async def test_malformed_frames_are_dropped_and_logged_without_their_content() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        with capture_logs() as logs:
            async with running(make_client(platform, echo)):
                await platform.wait_subscribed()
                await platform.push_raw("机密订单 not json")
                await platform.push_raw(json.dumps({"cmd": "aibot_msg_callback", "headers": {"req_id": "x"},
                                                    "body": {"msgid": "m", "msgtype": "text",
                                                             "text": {"content": "机密订单"}}}))
                await platform.push_raw(json.dumps({"cmd": "aibot_something_new", "headers": {"req_id": "y"}}))
                req_id = await platform.push_text("正常消息")
                await platform.wait_replies(req_id, finished=True)
    dropped = [e for e in logs if e["event"] == "wecom_bot.frame_dropped"]
    assert [e["reason"] for e in dropped] == ["not_json", "bad_field:body.from", "ack_without_errcode"]
    assert "机密订单" not in repr(logs)
    assert platform.handshakes == 1 and len(platform.replies) == 1


async def test_proactive_pushes_markdown_and_cards() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform)
        async with running(client):
            await client.wait_subscribed(5)
            await client.send("zhangsan", "**低库存**：M8 螺栓 20 个")
            await client.send("group-7", CARD)
            pushes = await platform.wait_pushes(2)
    assert [(p.chat_id, p.body) for p in pushes] == [
        ("zhangsan", MarkdownBody("**低库存**：M8 螺栓 20 个")), ("group-7", CardBody(CARD))]


async def test_a_rejected_push_raises_with_the_platforms_errcode() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform)
        async with running(client):
            await client.wait_subscribed(5)
            platform.reject_next(45009)
            with pytest.raises(WeComBotError) as caught:
                await client.send("zhangsan", "x")
            await client.send("zhangsan", "y")  # the connection is still fine
    assert (caught.value.code, caught.value.errcode) == (REJECTED, 45009)
    assert len(platform.pushes) == 2


async def test_send_without_a_connection_fails_fast() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        with pytest.raises(WeComBotError) as caught:
            await make_client(platform).send("zhangsan", "x")
    assert caught.value.code == NOT_CONNECTED


async def test_a_slow_answer_after_a_reconnect_is_pushed_instead() -> None:
    release = asyncio.Event()
    errors: list[str] = []

    async def slow(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        await reply.stream("正在识别……")
        await release.wait()  # e.g. a long voice turn; meanwhile the connection drops and comes back
        try:
            await reply.stream("x", finish=True)
        except WeComBotError as exc:
            errors.append(exc.code)
        await reply.markdown("入库完成：10 箱")

    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform,
        running(make_client(platform, slow)),
    ):
        await platform.wait_subscribed()
        req_id = await platform.push_text("入库十箱", user="lisi")
        await platform.wait_replies(req_id)
        await platform.drop()
        await platform.wait_subscribed(2)
        release.set()
        [push] = await platform.wait_pushes(1)
    assert errors == [CONNECTION_LOST]
    assert (push.chat_id, push.body) == ("lisi", MarkdownBody("入库完成：10 箱"))
    assert len(platform.replies_to(req_id)) == 1  # nothing was sent on the new connection under the old req_id


async def test_welcome_and_card_update_answer_their_events() -> None:
    async def handler(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        if isinstance(inbound, BotEvent) and inbound.event_type == "enter_chat":
            await reply.welcome("你好，我是车间助手")
        elif isinstance(inbound, BotEvent) and inbound.card is not None:
            done = TemplateCard("button_interaction", title="已批准", task_id=inbound.card.task_id,
                                buttons=(CardButton("已批准", "noop"),))
            await reply.update_card(done, (inbound.from_user,))

    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform,
        running(make_client(platform, handler)),
    ):
        await platform.wait_subscribed()
        welcome_req = await platform.push_enter_chat(user="wangwu")
        click_req = await platform.push_card_click("approve", "req-42", user="wangwu")
        [welcome] = await platform.wait_replies(welcome_req)
        [update] = await platform.wait_replies(click_req)
    assert welcome == RespondWelcome(welcome_req, TextBody("你好，我是车间助手"))
    assert isinstance(update, RespondUpdateCard) and update.card.task_id == "req-42" and update.userids == ("wangwu",)


async def test_a_redelivered_message_is_handled_once() -> None:
    calls: list[str] = []

    async def handler(inbound: BotMessage | BotEvent, reply: Reply) -> None:
        calls.append(inbound.msg_id)

    async with (
        FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform,
        running(make_client(platform, handler)),
    ):
        await platform.wait_subscribed()
        await platform.push_text("a", msg_id="dup-1")
        await platform.push_text("a", msg_id="dup-1")
        await platform.push_text("b", msg_id="other-2")
        await platform.wait_until(lambda: len(calls) >= 2)
        await asyncio.sleep(0.05)
    assert calls == ["dup-1", "other-2"]


async def test_superseded_waits_then_reconnects_or_gives_up_when_told() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform, superseded_retry_s=0.3)
        async with running(client):
            await platform.wait_subscribed()
            await platform.supersede()
            await platform.wait_until(lambda: client.status.state == "waiting")
            assert client.status.last_error == SUPERSEDED and platform.subscribed == 1
            await platform.wait_subscribed(2)
        client = make_client(platform, superseded_retry_s=None)
        task = asyncio.create_task(client.run())
        await platform.wait_subscribed(3)
        await platform.supersede()
        with pytest.raises(WeComBotError) as caught:
            await asyncio.wait_for(task, 5)
    assert caught.value.code == SUPERSEDED


async def test_stop_ends_run_and_a_second_run_is_refused_while_running() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform)
        task = asyncio.create_task(client.run())
        await platform.wait_subscribed()
        with pytest.raises(WeComBotError):
            await client.run()
        await client.stop()
        await asyncio.wait_for(task, 5)
        assert client.status.state == "stopped"
        await platform.wait_until(lambda: not platform.connected)


async def test_stop_while_connecting_does_not_leave_a_connection_behind() -> None:
    async with FakeWeComBotPlatform(bot_id=BOT_ID, secret=SECRET) as platform:
        client = make_client(platform)
        task = asyncio.create_task(client.run())
        await asyncio.sleep(0)  # run() is now inside connect()
        await client.stop()
        await asyncio.wait_for(task, 5)
        await asyncio.sleep(0.1)
        assert not platform.connected and platform.subscribed == 0
