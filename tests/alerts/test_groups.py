"""The group-chat senders against fake WeCom and DingTalk webhooks served on loopback: the key and the signature are
checked by the fakes, failures are retried, each group gets the alert once; a webhook on another host is refused."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from assistant.alerts import Alert, AlertService, AlertStore, DeliveryPolicy, DeliveryStatus
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from server.channels.dingtalk.sign import sign, signature_matches
from server.channels.groups import (
    DingtalkGroup,
    DingtalkRobot,
    GroupConfigError,
    GroupSendError,
    WecomGroup,
    WecomGroupBot,
    group_targets,
)
from tests.alerts.helpers import delivery_rows, transfer
from tests.support import free_port, serve

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRET = "SEC0123456789abcdef+/secret"
FAST = DeliveryPolicy(poll_s=0.05, retry_initial_s=0.05, retry_factor=2, retry_max_s=1, jitter=0, send_timeout_s=5,
                      lease_s=30)


@dataclass
class Platforms:
    """Fake WeCom and DingTalk webhooks: each fails its first `failures` well-formed calls (an HTTP 502, then an
    errcode), then takes messages."""

    failures: int = 2
    calls: dict[str, int] = field(default_factory=lambda: {"wecom": 0, "dingtalk": 0})
    accepted: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"wecom": [], "dingtalk": []})
    refused: list[str] = field(default_factory=list)

    def answer(self, platform: str, body: dict[str, Any]) -> JSONResponse:
        self.calls[platform] += 1
        if self.calls[platform] == 1 and self.failures >= 1:
            return JSONResponse({"errcode": -1, "errmsg": "system busy"}, status_code=502)
        if self.calls[platform] <= self.failures:
            return JSONResponse({"errcode": 45009, "errmsg": "api freq out of limit"})
        self.accepted[platform].append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/cgi-bin/webhook/send")
        async def wecom(request: Request) -> JSONResponse:
            body = await request.json()
            if request.query_params.get("key") != KEY:
                self.refused.append("wecom: key")
                return JSONResponse({"errcode": 93000, "errmsg": "invalid webhook url"})
            if body.get("msgtype") != "markdown" or not body.get("markdown", {}).get("content"):
                self.refused.append("wecom: body")
                return JSONResponse({"errcode": 40008, "errmsg": "invalid message type"})
            return self.answer("wecom", body)

        @app.post("/robot/send")
        async def dingtalk(request: Request) -> JSONResponse:
            body = await request.json()
            query = request.query_params
            timestamp, signature = query.get("timestamp", ""), query.get("sign", "")
            if query.get("access_token") != TOKEN:
                self.refused.append("dingtalk: token")
                return JSONResponse({"errcode": 300001, "errmsg": "token is not exist"})
            if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600_000:
                self.refused.append("dingtalk: timestamp")
                return JSONResponse({"errcode": 310000, "errmsg": "invalid timestamp"})
            if not signature_matches(timestamp, SECRET, signature):
                self.refused.append("dingtalk: sign")
                return JSONResponse({"errcode": 310000, "errmsg": "sign not match"})
            markdown = body.get("markdown", {})
            if body.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
                self.refused.append("dingtalk: body")
                return JSONResponse({"errcode": 40035, "errmsg": "missing parameter"})
            return self.answer("dingtalk", body)

        return app


@pytest.fixture
def platforms() -> Iterator[tuple[Platforms, str]]:
    fake = Platforms()
    with serve(fake.app(), free_port()) as base:
        yield fake, base


def _groups(base: str, client: httpx.AsyncClient) -> list[WecomGroupBot | DingtalkRobot]:
    return [
        WecomGroupBot(WecomGroup(name="dg-wecom", sites=("DG",), webhook=f"{base}/cgi-bin/webhook/send?key={KEY}"),
                      client, base_url=base),
        DingtalkRobot(DingtalkGroup(name="dg-dingtalk", sites=("DG",),
                                    webhook=f"{base}/robot/send?access_token={TOKEN}", secret=SECRET),
                      client, base_url=base),
    ]


async def test_each_group_gets_the_alert_once_on_the_third_attempt(
        platforms: tuple[Platforms, str], ledger: Ledger, engine: Engine, world: World) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        await _third_attempt(platforms, client, ledger, engine, world)


async def _third_attempt(platforms: tuple[Platforms, str], client: httpx.AsyncClient, ledger: Ledger, engine: Engine,
                         world: World) -> None:
    fake, base = platforms
    service = AlertService(engine, world, _groups(base, client), policy=FAST)
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")

    await service.run_once()
    errors = {row.target: row.last_error for row in delivery_rows(engine)}
    assert errors == {"dg-wecom": "wecom: HTTP 502", "dg-dingtalk": "dingtalk: HTTP 502"}
    await asyncio.sleep(0.06)
    await service.run_once()
    errors = {row.target: row.last_error for row in delivery_rows(engine)}
    assert errors == {"dg-wecom": "wecom: errcode 45009: api freq out of limit",
                      "dg-dingtalk": "dingtalk: errcode 45009: api freq out of limit"}

    await service.start()
    try:
        deadline = time.monotonic() + 15
        while not all(row.status == DeliveryStatus.sent for row in await asyncio.to_thread(delivery_rows, engine)):
            assert time.monotonic() < deadline, "not delivered"
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # a few more passes: nothing is sent again
    finally:
        await service.stop()

    assert fake.refused == []  # the key, the token and every signature were right
    assert fake.calls == {"wecom": 3, "dingtalk": 3}
    [wecom], [dingtalk] = fake.accepted["wecom"], fake.accepted["dingtalk"]
    [alert] = AlertStore(engine, world).alerts()
    assert wecom == {"msgtype": "markdown", "markdown": {"content": alert.markdown}}
    assert dingtalk == {"msgtype": "markdown", "markdown": {"title": alert.title, "text": alert.markdown}}
    assert wecom["markdown"]["content"].startswith("### 安全库存预警：曲轴（CS-1001）")
    rows = delivery_rows(engine)
    assert [(row.attempts, row.last_error) for row in rows] == [(3, None), (3, None)]


def _alert(store: AlertStore) -> Alert:
    [alert] = store.alerts()
    return alert


async def test_refusals_become_errors_without_credentials(
        platforms: tuple[Platforms, str], ledger: Ledger, engine: Engine, world: World) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        await _refusals(platforms, client, ledger, engine, world)


async def _refusals(platforms: tuple[Platforms, str], client: httpx.AsyncClient, ledger: Ledger, engine: Engine,
                    world: World) -> None:
    fake, base = platforms
    fake.failures = 0
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    await AlertService(engine, world, [], policy=FAST).run_once()  # the alert, no targets
    alert = _alert(AlertStore(engine, world))

    wrong_key = WecomGroupBot(WecomGroup(name="g", webhook="not-the-key"), client, base_url=base)
    with pytest.raises(GroupSendError, match=r"^wecom: errcode 93000: invalid webhook url$"):
        await wrong_key.deliver(alert)
    wrong_secret = DingtalkRobot(DingtalkGroup(name="g", webhook=TOKEN, secret="SECwrong"), client, base_url=base)
    with pytest.raises(GroupSendError, match=r"^dingtalk: errcode 310000: sign not match$"):
        await wrong_secret.deliver(alert)
    late = DingtalkRobot(DingtalkGroup(name="g", webhook=TOKEN, secret=SECRET), client, base_url=base,
                         clock=lambda: time.time() - 7200)
    with pytest.raises(GroupSendError, match="invalid timestamp"):
        await late.deliver(alert)
    assert fake.refused == ["wecom: key", "dingtalk: sign", "dingtalk: timestamp"]

    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for sender in (WecomGroupBot(WecomGroup(name="g", webhook=KEY), client, base_url=nobody),
                   DingtalkRobot(DingtalkGroup(name="g", webhook=TOKEN, secret=SECRET), client, base_url=nobody)):
        with pytest.raises(GroupSendError) as caught:
            await sender.deliver(alert)
        assert str(caught.value).endswith(": ConnectError")
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
        assert KEY not in repr(vars(sender)) and TOKEN not in repr(vars(sender)) and KEY not in str(caught.value)


def test_a_webhook_on_another_host_is_refused_before_any_call() -> None:
    calls: list[httpx.Request] = []
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200)))
    refused = [
        lambda: WecomGroupBot(WecomGroup(name="g", webhook=f"https://evil.example.com/cgi-bin/webhook/send?key={KEY}"),
                              client),
        lambda: WecomGroupBot(WecomGroup(name="g", webhook=f"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"),
                              client),  # plain http: not the configured https host
        lambda: WecomGroupBot(WecomGroup(name="g", webhook=f"https://qyapi.weixin.qq.com/other?key={KEY}"), client),
        lambda: WecomGroupBot(WecomGroup(name="g", webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send"), client),
        lambda: WecomGroupBot(WecomGroup(name="g", webhook=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"),
                              client, base_url="http://127.0.0.1:9"),  # the tests' fake is configured, not WeCom
        lambda: DingtalkRobot(DingtalkGroup(name="g", webhook=f"https://oapi.dingtalk.com.evil.cn/robot/send?"
                                                             f"access_token={TOKEN}", secret=SECRET), client),
        lambda: DingtalkRobot(DingtalkGroup(name="g", webhook=f"https://oapi.dingtalk.com:8443/robot/send?"
                                                             f"access_token={TOKEN}", secret=SECRET), client),
        lambda: DingtalkRobot(DingtalkGroup(name="g", webhook=TOKEN, secret=""), client),
        lambda: WecomGroupBot(WecomGroup(name="g", webhook="a key/with?odd=characters"), client),
    ]
    for build in refused:
        with pytest.raises(GroupConfigError) as caught:
            build()
        assert KEY not in str(caught.value) and TOKEN not in str(caught.value)
    with pytest.raises(GroupConfigError):
        group_targets(client, dingtalk=[DingtalkGroup(name="g", webhook=f"https://127.0.0.1/robot/send?access_token="
                                                                          f"{TOKEN}", secret=SECRET)])
    assert calls == []
    ok = group_targets(client, wecom=[WecomGroup(name="a", webhook=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/"
                                                                    f"send?key={KEY}", sites=("DG",))],
                       dingtalk=[DingtalkGroup(name="b", webhook=TOKEN, secret=SECRET)])
    assert [(t.name, t.serves("DG"), t.serves("FZ")) for t in ok] == [("a", True, False), ("b", True, True)]
    assert KEY not in repr(WecomGroup(name="a", webhook=KEY))  # secrets stay out of reprs and logs


async def test_the_signature_is_url_encoded() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        robot = DingtalkRobot(DingtalkGroup(name="g", webhook=TOKEN, secret=SECRET), client,
                              clock=lambda: 1700000000.0)
        alert_like = type("A", (), {"title": "t", "markdown": "m"})()
        await robot.deliver(alert_like)  # type: ignore[arg-type]
    [request] = seen
    expected = sign(1700000000000, SECRET)
    assert request.url.host == "oapi.dingtalk.com" and request.url.path == "/robot/send"
    query = request.url.query.decode()
    assert f"sign={urllib.parse.quote(expected, safe='')}" in query
    assert f"access_token={TOKEN}" in query and "timestamp=1700000000000" in query
