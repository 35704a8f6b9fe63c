import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from server.channels.dingtalk.messages import RobotMessage
from server.channels.dingtalk.stream import Backoff, StreamClient
from tests.channels.fake_dingtalk import FakeDingTalk

FAST = Backoff(base_s=0.05, max_s=0.2, jitter_s=0.05)


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with FakeDingTalk(disconnect_grace_s=30.0) as running:
        yield running


class Recorder:
    """A handler that records what it got; optionally raises or hangs for chosen texts."""

    def __init__(self) -> None:
        self.messages: list[RobotMessage] = []

    async def __call__(self, message: RobotMessage) -> None:
        self.messages.append(message)
        if message.text == "boom":
            raise RuntimeError("the handler broke")
        if message.text == "hang":
            await asyncio.sleep(60)

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.messages]


@asynccontextmanager
async def running(fake: FakeDingTalk, handler: Recorder, **options: object) -> AsyncIterator[StreamClient]:
    async with httpx.AsyncClient() as http:
        settings: dict[str, object] = {"client_id": fake.app_key, "client_secret": fake.app_secret,
                                       "handler": handler, "api_base": fake.base_url, "backoff": FAST}
        settings.update(options)
        client = StreamClient(http, **settings)  # type: ignore[arg-type]
        task = asyncio.create_task(client.run())
        try:
            yield client
        finally:
            await client.stop()
            await asyncio.wait_for(task, timeout=5)


async def test_a_robot_message_reaches_the_handler_and_is_acked(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler) as client:
        await fake.wait_connections(1)
        await fake.wait_until(lambda: client.connected, "the client to see its connection")
        mid = fake.push_callback(fake.robot_message(text=" 入库 A-01 十箱 ", msg_id="msg-1"))
        ack = await fake.wait_ack(mid)
    assert ack == {"code": 200, "headers": {"contentType": "application/json", "messageId": mid},
                   "message": "OK", "data": json.dumps({"response": None})}
    (message,) = handler.messages
    assert (message.msg_id, message.text, message.sender_staff_id) == ("msg-1", "入库 A-01 十箱", "manager4220")


async def test_the_gateway_is_asked_for_the_robot_topic(fake: FakeDingTalk) -> None:
    async with running(fake, Recorder()):
        await fake.wait_connections(1)
    (opened,) = fake.gateway_opens
    assert opened["clientId"] == fake.app_key and opened["clientSecret"] == fake.app_secret
    assert opened["subscriptions"] == [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]
    assert opened["ua"] and opened["localIp"] == "127.0.0.1"


async def test_a_ping_is_answered_with_its_opaque(fake: FakeDingTalk) -> None:
    async with running(fake, Recorder()):
        await fake.wait_connections(1)
        mid = fake.push_ping(opaque="123-dsfs")
        ack = await fake.wait_ack(mid)
    assert ack["code"] == 200 and ack["message"] == "OK"
    assert ack["headers"] == {"contentType": "application/json", "messageId": mid}
    assert json.loads(ack["data"]) == {"opaque": "123-dsfs"}


async def test_it_reconnects_after_the_connection_drops(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler):
        await fake.wait_connections(1)
        fake.drop()
        await fake.wait_connections(2)
        mid = fake.push_callback(fake.robot_message(text="还在吗"))
        await fake.wait_ack(mid)
    assert handler.texts == ["还在吗"]
    assert len(fake.gateway_opens) == 2  # a fresh ticket for each connection


async def test_it_reconnects_at_once_when_asked_to_disconnect(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler, backoff=Backoff(base_s=20.0, max_s=20.0, jitter_s=0.0)):
        await fake.wait_connections(1)
        fake.push_disconnect()
        # The fake would only close after 30 s and the backoff is 20 s: a prompt reconnect is the client's own doing.
        await fake.wait_connections(2, timeout=3.0)
        mid = fake.push_callback(fake.robot_message(text="新连接"))
        await fake.wait_ack(mid)
    assert handler.texts == ["新连接"]
    assert not any(frame.get("headers", {}).get("messageId") is None for frame in fake.received)  # no ACK to it


async def test_a_raising_handler_does_not_kill_the_connection(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler):
        await fake.wait_connections(1)
        broken = fake.push_callback(fake.robot_message(text="boom"))
        assert (await fake.wait_ack(broken))["code"] == 500
        fine = fake.push_callback(fake.robot_message(text="下一条"))
        assert (await fake.wait_ack(fine))["code"] == 200
    assert handler.texts == ["boom", "下一条"]
    assert fake.connections == 1


async def test_a_slow_handler_is_cut_off_and_does_not_hold_up_pings(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler, handler_timeout_s=2.0):
        await fake.wait_connections(1)
        slow = fake.push_callback(fake.robot_message(text="hang"))
        ping = fake.push_ping()
        await fake.wait_ack(ping, timeout=1.5)  # answered while the handler is still running
        assert fake.ack_for(slow) is None
        assert (await fake.wait_ack(slow))["code"] == 500
        assert fake.connections == 1


async def test_a_malformed_message_is_refused_and_the_connection_kept(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler):
        await fake.wait_connections(1)
        bad = fake.push_callback('{"msgtype": "text"}')
        assert (await fake.wait_ack(bad))["code"] == 400
        other_topic = fake.push_callback(fake.robot_message(), topic="/v1.0/card/instances/callback")
        assert (await fake.wait_ack(other_topic))["code"] == 404
        good = fake.push_callback(fake.robot_message(text="好"))
        assert (await fake.wait_ack(good))["code"] == 200
    assert handler.texts == ["好"]


async def test_a_redelivered_frame_is_acked_but_not_handled_twice(fake: FakeDingTalk) -> None:
    handler = Recorder()
    async with running(fake, handler):
        await fake.wait_connections(1)
        data = fake.robot_message(text="一次")
        mid = fake.push_callback(data)
        await fake.wait_ack(mid)
        fake.push_callback(data, message_id=mid)
        await fake.wait_until(lambda: sum(f.get("headers", {}).get("messageId") == mid for f in fake.received) == 2)
    assert handler.texts == ["一次"]


async def test_a_failing_gateway_is_retried_with_backoff(fake: FakeDingTalk) -> None:
    fake.fail("gateway", times=2, status=503)
    async with running(fake, Recorder()):
        await fake.wait_connections(1)
    assert len(fake.gateway_opens) == 3


async def test_rejected_credentials_keep_retrying_without_connecting(fake: FakeDingTalk) -> None:
    async with running(fake, Recorder(), client_secret="wrong"):
        await fake.wait_until(lambda: len(fake.gateway_opens) >= 3, "three attempts")
        assert fake.connections == 0


async def test_stop_ends_run_and_cancelling_run_works_too(fake: FakeDingTalk) -> None:
    async with httpx.AsyncClient() as http:
        client = StreamClient(http, client_id=fake.app_key, client_secret=fake.app_secret, handler=Recorder(),
                              api_base=fake.base_url, backoff=FAST)
        task = asyncio.create_task(client.run())
        await fake.wait_connections(1)
        await client.stop()
        await asyncio.wait_for(task, timeout=2)
        assert not client.connected
        await fake.wait_until(lambda: not fake.connected, "the connection to close")

        other = StreamClient(http, client_id=fake.app_key, client_secret=fake.app_secret, handler=Recorder(),
                             api_base=fake.base_url, backoff=FAST)
        task = asyncio.create_task(other.run())
        await fake.wait_connections(2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await fake.wait_until(lambda: not fake.connected, "the connection to close")


async def test_stop_while_connecting_is_not_lost(fake: FakeDingTalk) -> None:
    async with httpx.AsyncClient() as http:
        client = StreamClient(http, client_id=fake.app_key, client_secret=fake.app_secret, handler=Recorder(),
                              api_base=fake.base_url, backoff=FAST)
        task = asyncio.create_task(client.run())
        await fake.wait_until(lambda: len(fake.gateway_opens) == 1, "the gateway call")
        await client.stop()
        await asyncio.wait_for(task, timeout=2)
        await fake.wait_until(lambda: not fake.connected, "no connection left")
        await client.run()  # a stopped client stays stopped


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=60.0, jitter_s=1.0)
    assert [backoff.delay(n, 0.0) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff.delay(2, 0.5) == 4.5
    assert backoff.delay(10, 0.0) == 60.0 and backoff.delay(500, 1.0) == 60.0
