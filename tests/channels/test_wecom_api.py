"""The WeCom API client: on httpx.MockTransport for the protocol details, and once end to end against the fake
WeCom platform served on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from structlog.testing import capture_logs

from server.channels.wecom.api import ButtonCard, CardButton, WeComApi, WeComApiError, confirm_card
from server.channels.wecom.callback import open_callback, seal_text_reply
from server.channels.wecom.crypto import WeComCrypto
from tests.channels.fake_wecom import FakeWeCom
from tests.support import free_port, serve

CORP_ID, SECRET, AGENT_ID = "wwcorp", "s3cret-app-secret", 1000002
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Platform:
    """A scripted WeCom: tokens "tok-1", "tok-2"…; `answers[path]` lists the next answers for that path (the last
    one repeats); every request is kept."""

    answers: dict[str, list[Handler]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    tokens: int = 0
    expires_in: int = 7200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/cgi-bin/gettoken" and "/cgi-bin/gettoken" not in self.answers:
            assert request.url.params["corpid"] == CORP_ID and request.url.params["corpsecret"] == SECRET
            self.tokens += 1
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "access_token": f"tok-{self.tokens}",
                                             "expires_in": self.expires_in})
        queue = self.answers[request.url.path]
        handler = queue.pop(0) if len(queue) > 1 else queue[0]
        return handler(request)

    def on(self, path: str, *handlers: Handler) -> Platform:
        self.answers[path] = list(handlers)
        return self

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]

    def tokens_used(self, path: str) -> list[str]:
        return [r.url.params.get("access_token", "") for r in self.requests if r.url.path == path]


def ok(extra: dict[str, object] | None = None) -> Handler:
    return lambda _request: httpx.Response(200, json={"errcode": 0, "errmsg": "ok", **(extra or {})})


def err(errcode: int, errmsg: str = "error") -> Handler:
    return lambda _request: httpx.Response(200, json={"errcode": errcode, "errmsg": errmsg})


def api(platform: Platform, clock: Clock | None = None, **kwargs: object) -> WeComApi:
    client = httpx.AsyncClient(transport=httpx.MockTransport(platform))
    return WeComApi(client, CORP_ID, SECRET, AGENT_ID, base_url="https://wecom.test/", clock=clock or Clock(),
                    **kwargs)  # type: ignore[arg-type]


def sent_json(platform: Platform, path: str = "/cgi-bin/message/send") -> list[dict[str, object]]:
    return [json.loads(r.content) for r in platform.requests if r.url.path == path]


async def test_token_is_fetched_once_and_cached() -> None:
    platform = Platform().on("/cgi-bin/message/send", ok({"msgid": "m1"}))
    client = api(platform)
    assert await client.access_token() == "tok-1"
    first = await client.send_text("zhangsan", "入库 3 箱")
    await client.send_markdown("zhangsan", "**done**")
    assert first.msg_id == "m1"
    assert platform.paths() == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]
    assert platform.tokens_used("/cgi-bin/message/send") == ["tok-1", "tok-1"]
    assert sent_json(platform) == [
        {"touser": "zhangsan", "msgtype": "text", "agentid": AGENT_ID, "text": {"content": "入库 3 箱"}},
        {"touser": "zhangsan", "msgtype": "markdown", "agentid": AGENT_ID, "markdown": {"content": "**done**"}},
    ]


async def test_token_is_fetched_again_before_it_expires() -> None:
    platform, clock = Platform(), Clock()
    client = api(platform, clock)
    assert await client.access_token() == "tok-1"
    clock.now += 7200 - 300 - 1
    assert await client.access_token() == "tok-1"
    clock.now += 2  # inside the 300 s margin
    assert await client.access_token() == "tok-2"


async def test_concurrent_callers_share_one_token_fetch() -> None:
    platform = Platform().on("/cgi-bin/message/send", ok())
    client = api(platform)
    await asyncio.gather(*(client.send_text(f"u{i}", "hi") for i in range(5)))
    assert platform.paths().count("/cgi-bin/gettoken") == 1


@pytest.mark.parametrize("errcode", [42001, 40014, 40001])
async def test_rejected_token_is_refreshed_once_and_the_call_retried(errcode: int) -> None:
    platform = Platform().on("/cgi-bin/message/send", err(errcode), ok({"msgid": "m2"}))
    client = api(platform)
    sent = await client.send_text("zhangsan", "hi")
    assert sent.msg_id == "m2"
    assert platform.paths() == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/gettoken",
                                "/cgi-bin/message/send"]
    assert platform.tokens_used("/cgi-bin/message/send") == ["tok-1", "tok-2"]
    await client.send_text("zhangsan", "again")
    assert platform.tokens_used("/cgi-bin/message/send")[-1] == "tok-2"


async def test_a_token_rejected_twice_is_an_error_not_a_loop() -> None:
    platform = Platform().on("/cgi-bin/message/send", err(42001, "access_token expired"))
    with pytest.raises(WeComApiError) as caught:
        await api(platform).send_text("zhangsan", "hi")
    assert (caught.value.code, caught.value.errcode) == ("api-error", 42001)
    assert platform.paths().count("/cgi-bin/message/send") == 2


async def test_gettoken_refused() -> None:
    platform = Platform().on("/cgi-bin/gettoken", err(40013, "invalid corpid"))
    with pytest.raises(WeComApiError) as caught:
        await api(platform).send_text("zhangsan", "hi")
    assert (caught.value.code, caught.value.errcode, caught.value.errmsg) == ("token-failed", 40013, "invalid corpid")


@pytest.mark.parametrize("body", [{"errcode": 0}, {"errcode": 0, "access_token": "", "expires_in": 7200},
                                  {"errcode": 0, "access_token": "t", "expires_in": "soon"}])
async def test_gettoken_without_a_token(body: dict[str, object]) -> None:
    platform = Platform().on("/cgi-bin/gettoken", lambda _r: httpx.Response(200, json=body))
    with pytest.raises(WeComApiError) as caught:
        await api(platform).access_token()
    assert caught.value.code == "bad-response"


async def test_errcode_is_an_error() -> None:
    platform = Platform().on("/cgi-bin/message/send", err(81013, "user & party & tag all invalid"))
    with pytest.raises(WeComApiError) as caught:
        await api(platform).send_text("nobody", "hi")
    assert (caught.value.code, caught.value.errcode) == ("api-error", 81013)
    assert platform.paths().count("/cgi-bin/message/send") == 1  # not a token problem: no retry


def _raise(exc: Exception) -> Handler:
    def handler(_request: httpx.Request) -> httpx.Response:
        raise exc
    return handler


@pytest.mark.parametrize(("handler", "code", "status"), [
    (lambda _r: httpx.Response(500, text="oops"), "http-error", 500),
    (lambda _r: httpx.Response(502), "http-error", 502),
    (_raise(httpx.ReadTimeout("read timed out")), "timeout", None),
    (_raise(httpx.ConnectError("refused")), "transport-error", None),
    (lambda _r: httpx.Response(200, text="<html>busy</html>"), "bad-response", None),
    (lambda _r: httpx.Response(200, json=[1, 2]), "bad-response", None),
    (lambda _r: httpx.Response(200, json={"errcode": "zero"}), "bad-response", None),
])
async def test_transport_failures(handler: Handler, code: str, status: int | None) -> None:
    platform = Platform().on("/cgi-bin/message/send", handler)
    with capture_logs() as logs, pytest.raises(WeComApiError) as caught:
        await api(platform).send_text("zhangsan", "hi")
    assert (caught.value.code, caught.value.status) == (code, status)
    # neither the error nor its cause nor the logs carry the token or the secret
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None or caught.value.__suppress_context__
    for text in (str(caught.value), repr(logs)):
        assert "tok-1" not in text and SECRET not in text


async def test_nothing_secret_is_logged() -> None:
    platform = Platform().on("/cgi-bin/message/send", err(42001), ok())
    platform.on("/cgi-bin/media/get", lambda _r: httpx.Response(200, content=b"x"))
    client = api(platform)
    with capture_logs() as logs:
        await client.send_text("zhangsan", "secret plan for 3 boxes")
        await client.download_media("m")
    assert logs  # it does log, just nothing secret
    text = repr(logs)
    for secret in (SECRET, "tok-1", "tok-2", "secret plan"):
        assert secret not in text
    assert SECRET not in repr(client)


async def test_download_media() -> None:
    def media(request: httpx.Request) -> httpx.Response:
        assert request.url.params["media_id"] == "MEDIA_ID" and request.url.params["access_token"] == "tok-1"
        return httpx.Response(200, content=b"#!AMR\n...", headers={
            "Content-Type": "voice/amr", "Content-disposition": 'attachment; filename="MEDIA_ID.amr"'})
    media_file = await api(Platform().on("/cgi-bin/media/get", media)).download_media("MEDIA_ID")
    assert (media_file.data, media_file.content_type, media_file.filename) == (b"#!AMR\n...", "voice/amr",
                                                                               "MEDIA_ID.amr")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "text/plain", "image/jpeg"])
async def test_download_media_error_json(content_type: str) -> None:
    # WeCom answers a bad media id with a JSON body; whatever its Content-Type, it is not the media
    answer = httpx.Response(200, content=b'{"errcode": 40007, "errmsg": "invalid media_id"}',
                            headers={"Content-Type": content_type})
    with pytest.raises(WeComApiError) as caught:
        await api(Platform().on("/cgi-bin/media/get", lambda _r: answer)).download_media("nope")
    assert (caught.value.code, caught.value.errcode) == ("api-error", 40007)


async def test_download_media_refreshes_an_expired_token() -> None:
    expired = httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})
    platform = Platform().on("/cgi-bin/media/get", lambda _r: expired,
                             lambda _r: httpx.Response(200, content=b"\xff\xd8jpeg",
                                                       headers={"Content-Type": "image/jpeg"}))
    media_file = await api(platform).download_media("m")
    assert media_file.data == b"\xff\xd8jpeg" and media_file.filename is None
    assert platform.tokens_used("/cgi-bin/media/get") == ["tok-1", "tok-2"]


async def test_download_media_size_cap() -> None:
    big = httpx.Response(200, content=b"x" * 2048, headers={"Content-Type": "image/jpeg"})
    with pytest.raises(WeComApiError) as caught:
        await api(Platform().on("/cgi-bin/media/get", lambda _r: big), max_media_bytes=1024).download_media("m")
    assert caught.value.code == "media-too-large"


async def test_download_media_filename_is_never_a_path() -> None:
    disposition = 'attachment; filename="../../etc/x.amr"'
    answer = httpx.Response(200, content=b"x", headers={"Content-disposition": disposition})
    media_file = await api(Platform().on("/cgi-bin/media/get", lambda _r: answer)).download_media("m")
    assert media_file.filename == "x.amr"


async def test_send_file_uploads_then_sends() -> None:
    platform = Platform().on("/cgi-bin/media/upload", ok({"type": "file", "media_id": "MID", "created_at": "1"}))
    platform.on("/cgi-bin/message/send", ok({"msgid": "m3"}))
    sent = await api(platform).send_file("zhangsan", b"a,b\n1,2\n", "库存.csv", "text/csv")
    assert sent.msg_id == "m3"
    upload = next(r for r in platform.requests if r.url.path == "/cgi-bin/media/upload")
    assert upload.url.params["type"] == "file" and upload.url.params["access_token"] == "tok-1"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="media"' in upload.content and b"a,b\n1,2\n" in upload.content
    assert "库存.csv".encode() in upload.content or b"filename*=" in upload.content
    assert sent_json(platform) == [{"touser": "zhangsan", "msgtype": "file", "agentid": AGENT_ID,
                                    "file": {"media_id": "MID"}}]


async def test_upload_without_media_id() -> None:
    platform = Platform().on("/cgi-bin/media/upload", ok())
    with pytest.raises(WeComApiError) as caught:
        await api(platform).upload_media(b"x", "x.txt")
    assert caught.value.code == "bad-response"


async def test_send_template_card() -> None:
    platform = Platform().on("/cgi-bin/message/send", ok({"msgid": "m4", "response_code": "RC"}))
    card = confirm_card("order-42", "确认出库？", description="M8 螺栓 × 3 箱", confirm_key="confirm:42",
                        confirm_label="确认", cancel_key="cancel:42", cancel_label="取消",
                        lines=(("仓库", "A 区"),))
    sent = await api(platform).send_template_card("zhangsan", card)
    assert (sent.msg_id, sent.response_code) == ("m4", "RC")
    assert sent_json(platform) == [{
        "touser": "zhangsan", "msgtype": "template_card", "agentid": AGENT_ID,
        "template_card": {
            "card_type": "button_interaction",
            "main_title": {"title": "确认出库？", "desc": "M8 螺栓 × 3 箱"},
            "task_id": "order-42",
            "button_list": [{"type": 0, "text": "确认", "style": 1, "key": "confirm:42"},
                            {"type": 0, "text": "取消", "style": 2, "key": "cancel:42"}],
            "horizontal_content_list": [{"keyname": "仓库", "value": "A 区"}],
        },
    }]


@pytest.mark.parametrize("make", [
    lambda: confirm_card("bad id!", "t", confirm_key="a", confirm_label="A", cancel_key="b", cancel_label="B"),
    lambda: confirm_card("x" * 129, "t", confirm_key="a", confirm_label="A", cancel_key="b", cancel_label="B"),
    lambda: confirm_card("ok", "t", confirm_key="same", confirm_label="A", cancel_key="same", cancel_label="B"),
    lambda: confirm_card("ok", "", confirm_key="a", confirm_label="A", cancel_key="b", cancel_label="B"),
    lambda: confirm_card("ok", "t", confirm_key="", confirm_label="A", cancel_key="b", cancel_label="B"),
    lambda: ButtonCard("ok", "t", buttons=()),
    lambda: ButtonCard("ok", "t", buttons=(CardButton("a", "A", style=5),)),
    lambda: ButtonCard("ok", "t", buttons=tuple(CardButton(str(i), "x") for i in range(7))),
])
def test_invalid_cards_are_refused_before_sending(make: Callable[[], ButtonCard]) -> None:
    with pytest.raises(WeComApiError) as caught:
        make()
    assert caught.value.code == "card-invalid"


async def test_update_template_card() -> None:
    platform = Platform().on("/cgi-bin/message/update_template_card", ok())
    await api(platform).update_template_card(["zhangsan"], "RC", "已确认")
    assert sent_json(platform, "/cgi-bin/message/update_template_card") == [
        {"userids": ["zhangsan"], "agentid": AGENT_ID, "response_code": "RC", "button": {"replace_name": "已确认"}}]


async def test_against_the_fake_platform_on_loopback() -> None:
    fake = FakeWeCom()
    voice = fake.add_media(b"#!AMR\nvoice", "voice/amr", "voice-1.amr")
    with serve(fake.app, free_port()) as base_url:
        async with httpx.AsyncClient(timeout=10) as http:
            client = WeComApi(http, fake.corp_id, fake.secret, fake.agent_id, base_url=base_url)

            media_file = await client.download_media(voice)
            assert (media_file.data, media_file.content_type, media_file.filename) == (
                b"#!AMR\nvoice", "voice/amr", "voice-1.amr")
            with pytest.raises(WeComApiError) as caught:
                await client.download_media("no-such-media")
            assert caught.value.errcode == 40007

            await client.send_text("zhangsan", "已入库 3 箱")
            sent = await client.send_template_card("zhangsan", confirm_card(
                "task-1", "确认出库？", confirm_key="yes", confirm_label="确认", cancel_key="no", cancel_label="取消"))
            assert sent.response_code in fake.response_codes
            await client.update_template_card(["zhangsan"], sent.response_code or "", "已确认")
            await client.send_file("zhangsan", "盘点 ✓".encode(), "盘点.txt", "text/plain")

            fake.expire_tokens()  # the platform revokes the token: the client fetches another and retries
            fake.fail_sends(1, errcode=-1, errmsg="system busy")
            with pytest.raises(WeComApiError) as caught:
                await client.send_text("zhangsan", "lost")
            assert (caught.value.code, caught.value.errcode) == ("api-error", -1)
            await client.send_text("zhangsan", "delivered")

            with pytest.raises(WeComApiError) as caught:
                await WeComApi(http, fake.corp_id, "wrong", fake.agent_id, base_url=base_url).access_token()
            assert (caught.value.code, caught.value.errcode) == ("token-failed", 40001)

    assert fake.token_requests == 3  # the first token, the one after expiry, the wrong secret's attempt
    assert [(m["msgtype"], m["touser"]) for m in fake.sent] == [
        ("text", "zhangsan"), ("template_card", "zhangsan"), ("file", "zhangsan"), ("text", "zhangsan")]
    assert fake.sent[0]["text"] == {"content": "已入库 3 箱"} and fake.sent[-1]["text"] == {"content": "delivered"}
    assert fake.uploads[0].data == "盘点 ✓".encode() and fake.uploads[0].filename == "盘点.txt"
    assert fake.card_updates[0]["button"] == {"replace_name": "已确认"}
    assert len(fake.send_attempts) == len(fake.sent) + 1


def test_fake_callbacks_open_with_the_apps_crypto() -> None:
    fake = FakeWeCom()
    app_side = WeComCrypto(fake.token, fake.encoding_aes_key, fake.corp_id)

    request = fake.callback(fake.text_message("zhangsan", "入库 3 箱 M8"))
    assert request.method == "POST" and set(request.params) == {"msg_signature", "timestamp", "nonce"}
    message = open_callback(app_side, request.params["msg_signature"], request.params["timestamp"],
                            request.params["nonce"], request.body)
    assert (message.from_user, message.to_user, message.msg_type, message.content, message.agent_id) == (
        "zhangsan", fake.corp_id, "text", "入库 3 箱 M8", fake.agent_id)

    reply = seal_text_reply(app_side, message, "好的", request.params["timestamp"], request.params["nonce"])
    assert "<Content><![CDATA[好的]]></Content>" in fake.open_reply(reply)

    click = fake.callback(fake.card_click("zhangsan", "yes", "task-1"))
    opened = open_callback(app_side, click.params["msg_signature"], click.params["timestamp"], click.params["nonce"],
                           click.body)
    assert opened.is_card_click and opened.event_key == "yes" and opened.response_code in fake.response_codes

    voice = fake.callback(fake.voice_message("lisi", "media-9"))
    opened = open_callback(app_side, voice.params["msg_signature"], voice.params["timestamp"], voice.params["nonce"],
                           voice.body)
    assert (opened.msg_type, opened.media_id, opened.format) == ("voice", "media-9", "amr")

    verification, echo = fake.verification()
    params = verification.params
    assert app_side.verify_url(params["msg_signature"], params["timestamp"], params["nonce"], params["echostr"]) == echo
