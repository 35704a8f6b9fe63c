"""DingTalk Stream mode without the SDK: one outgoing WebSocket that carries robot messages, so the box needs no
public callback URL.

Protocol (open-dingtalk developerpedia "Stream 协议", checked against dingtalk-stream-sdk-python):
1. POST {api_base}/v1.0/gateway/connections/open {clientId, clientSecret, subscriptions, ua, localIp}
   -> {endpoint, ticket}; a ticket is good for one connection within 90 s.
2. Connect to `endpoint?ticket=…`. Frames are {specVersion, type: SYSTEM|EVENT|CALLBACK, headers: {messageId, topic,
   contentType, time, …}, data: "<a JSON string>"}.
3. Answer each with {code, headers: {contentType, messageId}, message, data: "<a JSON string>"}:
   SYSTEM ping: 200 echoing the ping's data (its `opaque`); SYSTEM disconnect: no answer, the server closes the TCP
   connection 10 s later, so we reconnect at once; CALLBACK on the robot topic: 200 with data {"response": null}.

The handler contract: `handler(message)` is awaited for at most `handler_timeout_s`, then cancelled. It should only
check the message and hand the real work (speech, the ledger, replies) to its own task or queue, and return. Each
message is handled in its own task, so a slow handler never delays pings or other messages.

A failing handler (exception or timeout) is logged and the frame ACKed with 500, the protocol's "internal error". The
SDK sends no ACK in that case; we answer because robot messages are fire-and-forget on DingTalk's side (no redelivery,
so 500 cannot cause a retry storm) and an honest status is what the ACK is for: diagnostics in DingTalk's console.
A frame DingTalk redelivers with a messageId we have already taken is ACKed without calling the handler again."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote_plus

import httpx
import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from server.channels.dingtalk.api import DEFAULT_API_BASE, json_object
from server.channels.dingtalk.errors import DingTalkError
from server.channels.dingtalk.messages import BOT_TOPIC, RobotMessage, parse_robot_message

log = structlog.get_logger(__name__)

OPEN_CONNECTION_PATH = "/v1.0/gateway/connections/open"
DEFAULT_UA = "frontline-dingtalk-python/1.0"
_SEEN_LIMIT = 2048  # messageIds remembered to recognise a redelivered frame
_ROTATION_MIN_S = 10.0  # a second `disconnect` within this time waits out the backoff like any other close

Handler = Callable[[RobotMessage], Awaitable[None]]
_Outcome = Literal["closed", "disconnect"]


@dataclass(frozen=True)
class Backoff:
    """Delay before reconnect attempt n (from 0): base·2ⁿ plus up to `jitter_s` at random, never above `max_s`."""

    base_s: float = 1.0
    max_s: float = 60.0
    jitter_s: float = 1.0

    def delay(self, attempt: int, unit_random: float) -> float:
        return float(min(self.base_s * 2 ** min(attempt, 16) + self.jitter_s * unit_random, self.max_s))


class StreamClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        client_id: str,
        client_secret: str,
        handler: Handler,
        api_base: str = DEFAULT_API_BASE,
        handler_timeout_s: float = 10.0,
        backoff: Backoff = Backoff(),
        max_in_flight: int = 32,
        ua: str = DEFAULT_UA,
        local_ip: str | None = None,
        http_timeout_s: float = 10.0,
        open_timeout_s: float = 10.0,
        ping_interval_s: float | None = 20.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        """`client_id`/`client_secret` are the app's AppKey/AppSecret. `local_ip` is only reported to DingTalk for
        their diagnostics; by default the address this box uses to reach `api_base`. `ping_interval_s` is the
        WebSocket-level keepalive that notices a dead connection (None turns it off)."""
        self._http = http
        self._client_id = client_id
        self._client_secret = client_secret
        self._handler = handler
        self._api_base = api_base.rstrip("/")
        self._handler_timeout_s = handler_timeout_s
        self._backoff = backoff
        self._ua = ua
        self._local_ip = local_ip
        self._http_timeout_s = http_timeout_s
        self._open_timeout_s = open_timeout_s
        self._ping_interval_s = ping_interval_s
        self._rng = rng
        self._slots = asyncio.Semaphore(max_in_flight)
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._ws: ClientConnection | None = None
        self._running = False
        self._got_frame = False  # whether the current connection has carried a frame yet

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def run(self) -> None:
        """Connect and keep reconnecting until cancelled or `stop()`; returns at once if already stopped."""
        if self._running:
            raise RuntimeError("this StreamClient is already running")
        self._running = True
        attempt = 0
        last_rotation = float("-inf")
        try:
            while not self._stopping.is_set():
                outcome: _Outcome = "closed"
                self._got_frame = False
                try:
                    outcome = await self._session(await self._open_connection())
                except DingTalkError as error:
                    log.warning("dingtalk-stream-open-failed", code=error.code, detail=error.detail)
                except (OSError, WebSocketException, TimeoutError) as error:
                    log.warning("dingtalk-stream-connect-failed", error=type(error).__name__)
                except Exception:  # never let one odd failure end the channel
                    log.exception("dingtalk-stream-failed")
                if self._stopping.is_set():
                    break
                if self._got_frame:  # the connection worked: the next failure starts the backoff afresh
                    attempt = 0
                now = asyncio.get_running_loop().time()
                if outcome == "disconnect" and now - last_rotation > _ROTATION_MIN_S:
                    last_rotation = now  # a planned rotation: reconnect now (but never in a tight loop)
                    continue
                delay = self._backoff.delay(attempt, self._rng())
                attempt += 1
                log.info("dingtalk-stream-reconnecting", delay_s=round(delay, 2), attempt=attempt)
                with contextlib.suppress(TimeoutError):  # stop() cuts the wait short
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)
        finally:
            await self._cancel_tasks()
            self._ws = None
            self._running = False
            log.info("dingtalk-stream-stopped")

    async def stop(self) -> None:
        """Stop reconnecting and close the connection; `run()` then returns. In-flight handlers are cancelled."""
        self._stopping.set()
        ws = self._ws
        if ws is not None:
            await ws.close()

    # --- one connection --------------------------------------------------------------------------------------------

    async def _open_connection(self) -> str:
        body = {
            "clientId": self._client_id,
            "clientSecret": self._client_secret,
            "subscriptions": [{"type": "CALLBACK", "topic": BOT_TOPIC}],
            "ua": self._ua,
            "localIp": await self._reported_ip(),
        }
        try:
            response = await self._http.post(self._api_base + OPEN_CONNECTION_PATH, json=body,
                                             headers={"Accept": "application/json"}, timeout=self._http_timeout_s,
                                             follow_redirects=False)
        except httpx.HTTPError as error:
            raise DingTalkError("gateway-failed", type(error).__name__) from None
        answer = json_object(response)
        if response.status_code >= 400:
            raise DingTalkError("gateway-failed", f"HTTP {response.status_code} {answer.get('code') or ''}".rstrip())
        endpoint, ticket = answer.get("endpoint"), answer.get("ticket")
        if not isinstance(endpoint, str) or not endpoint.startswith(("ws://", "wss://")) or not isinstance(ticket, str):
            raise DingTalkError("gateway-failed", "no endpoint and ticket in the answer")
        return f"{endpoint}{'&' if '?' in endpoint else '?'}ticket={quote_plus(ticket)}"

    async def _session(self, uri: str) -> _Outcome:
        async with connect(uri, open_timeout=self._open_timeout_s, ping_interval=self._ping_interval_s,
                           ping_timeout=self._ping_interval_s, user_agent_header=self._ua) as ws:
            self._ws = ws
            if self._stopping.is_set():  # stop() came while we were connecting and found no connection to close
                self._ws = None
                return "closed"
            log.info("dingtalk-stream-connected", host=httpx.URL(uri).host)
            try:
                async for raw in ws:
                    self._got_frame = True
                    if await self._on_frame(ws, raw) == "disconnect":
                        return "disconnect"
                log.info("dingtalk-stream-closed", code=ws.close_code)
            except ConnectionClosed as closed:
                log.warning("dingtalk-stream-lost", code=closed.rcvd.code if closed.rcvd else None)
            finally:
                self._ws = None
        return "closed"

    async def _on_frame(self, ws: ClientConnection, raw: str | bytes) -> _Outcome | None:
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            log.warning("dingtalk-stream-frame-unreadable")
            return None
        kind = frame.get("type")
        headers = frame.get("headers")
        if not isinstance(headers, dict):
            headers = {}
        topic, message_id = headers.get("topic"), headers.get("messageId")
        if kind == "SYSTEM" and topic == "ping":
            data = frame.get("data")
            await self._send(ws, _ack(message_id, 200, "OK", data if isinstance(data, str) else json.dumps(data)))
        elif kind == "SYSTEM" and topic == "disconnect":
            log.info("dingtalk-stream-disconnect-asked")  # answered by reconnecting, as the protocol asks
            return "disconnect"
        elif kind == "CALLBACK" and topic == BOT_TOPIC:
            await self._slots.acquire()  # backpressure: stop reading while too many handlers are busy
            task = asyncio.create_task(self._on_robot_message(ws, message_id, frame.get("data")))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)
        elif kind in ("CALLBACK", "EVENT"):
            log.warning("dingtalk-stream-topic-unexpected", kind=kind, topic=topic)
            await self._send(ws, _ack(message_id, 404, "topic not subscribed"))
        else:
            log.warning("dingtalk-stream-frame-unknown", kind=kind, topic=topic)
        return None

    async def _on_robot_message(self, ws: ClientConnection, message_id: object, data: object) -> None:
        key = message_id if isinstance(message_id, str) else None
        if key is not None and key in self._seen:
            log.info("dingtalk-stream-redelivered", message_id=key)
            await self._send(ws, _ack(message_id, 200, "OK"))
            return
        try:
            message = parse_robot_message(data if isinstance(data, str) else json.dumps(data))
        except DingTalkError as error:
            log.warning("dingtalk-stream-message-malformed", message_id=key, detail=error.detail)
            await self._send(ws, _ack(message_id, 400, "bad request"))
            return
        if key is not None:
            self._seen[key] = None
            while len(self._seen) > _SEEN_LIMIT:
                self._seen.popitem(last=False)
        try:
            async with asyncio.timeout(self._handler_timeout_s):
                await self._handler(message)
        except TimeoutError:
            log.error("dingtalk-stream-handler-timeout", msg_id=message.msg_id, timeout_s=self._handler_timeout_s)
            await self._send(ws, _ack(message_id, 500, "internal error"))
        except Exception:
            log.exception("dingtalk-stream-handler-failed", msg_id=message.msg_id, msgtype=message.msgtype)
            await self._send(ws, _ack(message_id, 500, "internal error"))
        else:
            await self._send(ws, _ack(message_id, 200, "OK"))

    async def _send(self, ws: ClientConnection, payload: dict[str, object]) -> None:
        try:
            await ws.send(json.dumps(payload))
        except ConnectionClosed:
            # The connection went while the handler ran: the ACK is lost, which DingTalk tolerates for robot messages.
            log.info("dingtalk-stream-ack-lost", code=payload["code"])

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("dingtalk-stream-task-failed", error=type(task.exception()).__name__)

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _reported_ip(self) -> str:
        if not self._local_ip:  # worked out again while there is no route (offline at start)
            url = httpx.URL(self._api_base)
            self._local_ip = await asyncio.to_thread(_route_ip, url.host, url.port or 443)
        return self._local_ip


def _ack(message_id: object, code: int, message: str, data: str | None = None) -> dict[str, object]:
    return {
        "code": code,
        "headers": {"contentType": "application/json", "messageId": message_id},
        "message": message,
        "data": data if data is not None else json.dumps({"response": None}),
    }


def _route_ip(host: str, port: int) -> str:
    """The local address the OS would use towards host (a UDP "connect" sends nothing); "" when there is no route."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((host, port))
            return str(probe.getsockname()[0])
    except OSError:
        return ""
