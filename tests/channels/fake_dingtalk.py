"""A fake DingTalk platform on loopback, for protocol tests and the channel's end-to-end tests.

    with FakeDingTalk() as fake:                 # or `async with`; both parts run in their own threads
        api = DingTalkApi(http, app_key=fake.app_key, app_secret=fake.app_secret, api_base=fake.base_url,
                          oapi_base=fake.base_url, download_hosts=[fake.host])
        stream = StreamClient(http, client_id=fake.app_key, client_secret=fake.app_secret, handler=…,
                              api_base=fake.base_url)
        fake.wait_connections_sync(1)            # or `await fake.wait_connections(1)`
        mid = fake.push_callback(fake.robot_message(text="盘点"))
        ack = await fake.wait_ack(mid)

HTTP part (uvicorn in a thread, `base_url` serves as both api.dingtalk.com and oapi.dingtalk.com):
  POST /v1.0/oauth2/accessToken           appKey/appSecret -> accessToken, expireIn (`token_requests`)
  POST /v1.0/robot/messageFiles/download  -> downloadUrl for a code registered with `add_file`
  GET  /files/{key}                       the registered bytes (`file_fetches`)
  POST /v1.0/robot/oToMessages/batchSend  recorded in `sent`
  POST /media/upload?access_token=…&type= a multipart "media" file, recorded in `uploads` (media id -> bytes)
  POST /robot/sendBySession?session=…     a session webhook, recorded in `replies` (`session_webhook()` makes one)
  POST /robot/send?access_token=…         a custom group robot, checks timestamp+sign, recorded in `group_posts`
  POST /v1.0/gateway/connections/open     the Stream gateway: endpoint of the WebSocket part and a one-use ticket
OpenAPI calls need a token issued here; `revoke_tokens()` makes DingTalk's InvalidAuthentication answer happen.
`fail(endpoint, times, status)` makes the next calls of one endpoint fail.

WebSocket part (a `websockets` server on 127.0.0.1, port 0, in its own thread and loop): `push_callback`, `push_ping`,
`push_disconnect` (the server then closes after `disconnect_grace_s`, as DingTalk does after 10 s), `drop` (the
connection vanishes without a close frame). Every frame the client sends is recorded in `received`; `ack_for(id)`.

All methods are safe from the test's thread or loop: the push methods block only until the frame is written."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from server.channels.dingtalk.messages import BOT_TOPIC
from server.channels.dingtalk.sign import sign
from tests.support import free_port
from tests.support import serve as serve_http

Endpoint = Literal["token", "download", "file", "batch-send", "upload", "session-webhook", "group-webhook", "gateway"]


@dataclass(frozen=True)
class SentRobotMessage:
    """One batchSend call: msg_param is the decoded msgParam string."""

    robot_code: str
    user_ids: tuple[str, ...]
    msg_key: str
    msg_param: dict[str, Any]


@dataclass(frozen=True)
class WebhookPost:
    """A POST to a session webhook (key = session) or a group robot (key = access_token)."""

    key: str
    body: dict[str, Any]
    query: dict[str, str]


@dataclass
class _Failure:
    times: int
    status: int
    errcode: int | None


# --- message builders (pure: usable without a running fake) ----------------------------------------------------------

def rich_text_part(text: str) -> dict[str, str]:
    return {"text": text}


def rich_picture_part(download_code: str) -> dict[str, str]:
    return {"type": "picture", "downloadCode": download_code}


def robot_message(msgtype: str = "text", *, text: str = "你好", content: Mapping[str, Any] | None = None,
                  msg_id: str | None = None, conversation_type: str = "1", conversation_id: str = "cid-single-1",
                  sender_staff_id: str | None = "manager4220", sender_nick: str = "张三",
                  robot_code: str | None = "dingfakeappkey",
                  session_webhook: str = "https://oapi.dingtalk.com/robot/sendBySession?session=fake",
                  webhook_expires_at_ms: int | None = None, create_at_ms: int | None = None,
                  is_in_at_list: bool = True, **extra: Any) -> dict[str, Any]:
    """A robot message as DingTalk sends it (the documented fields); `text` for msgtype text, else `content`."""
    now = int(time.time() * 1000)
    message: dict[str, Any] = {
        "conversationId": conversation_id,
        "chatbotCorpId": "dingfakecorp",
        "chatbotUserId": "$:LWCP_v1:$fakebot",
        "msgId": msg_id or f"msg{uuid.uuid4().hex[:12]}",
        "senderNick": sender_nick,
        "isAdmin": False,
        "sessionWebhookExpiredTime": webhook_expires_at_ms if webhook_expires_at_ms is not None else now + 5_400_000,
        "createAt": create_at_ms if create_at_ms is not None else now,
        "senderCorpId": "dingfakecorp",
        "conversationType": conversation_type,
        "senderId": "$:LWCP_v1:$fakesender",
        "isInAtList": is_in_at_list,
        "sessionWebhook": session_webhook,
        "msgtype": msgtype,
    }
    if sender_staff_id is not None:
        message["senderStaffId"] = sender_staff_id
    if robot_code is not None:
        message["robotCode"] = robot_code
    if conversation_type == "2":
        message["conversationTitle"] = "仓库群"
    if msgtype == "text":
        message["text"] = {"content": text}
    if content is not None:
        message["content"] = dict(content)
    message.update(extra)
    return message


class FakeDingTalk:
    host = "127.0.0.1"

    def __init__(self, *, app_key: str = "dingfakeappkey", app_secret: str = "fake-app-secret",
                 group_secret: str | None = "SECfakegroupsecret", token_ttl_s: int = 7200,
                 disconnect_grace_s: float = 10.0) -> None:
        self.app_key, self.app_secret, self.group_secret = app_key, app_secret, group_secret
        self.token_ttl_s = token_ttl_s
        self.disconnect_grace_s = disconnect_grace_s
        self._lock = threading.Lock()
        # HTTP state
        self.token_requests: list[dict[str, Any]] = []
        self.api_calls: list[str] = []  # "download", "batch-send": every OpenAPI call, accepted or not
        self.sent: list[SentRobotMessage] = []
        self.replies: list[WebhookPost] = []
        self.group_posts: list[WebhookPost] = []
        self.file_fetches: list[str] = []
        self.uploads: dict[str, tuple[str, bytes]] = {}  # media id -> (file name, bytes)
        self.gateway_opens: list[dict[str, Any]] = []
        self._valid_tokens: set[str] = set()
        self._files: dict[str, tuple[bytes, str | None]] = {}  # download code -> bytes, custom downloadUrl
        self._failures: dict[str, _Failure] = {}
        self._tickets: set[str] = set()
        # WebSocket state
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self._live: list[ServerConnection] = []
        self._ws_loop: asyncio.AbstractEventLoop | None = None
        self._ws_thread: threading.Thread | None = None
        self._ws_server: Server | None = None
        self._stack = contextlib.ExitStack()
        self.base_url = ""
        self.ws_endpoint = ""

    # --- lifecycle ------------------------------------------------------------------------------------------------

    def start(self) -> FakeDingTalk:
        loop = asyncio.new_event_loop()
        self._ws_loop = loop
        self._ws_thread = threading.Thread(target=loop.run_forever, name="fake-dingtalk-ws", daemon=True)
        self._ws_thread.start()
        port = self._on_ws_loop(self._start_ws())
        self.ws_endpoint = f"ws://{self.host}:{port}/connect"
        self.base_url = self._stack.enter_context(serve_http(self._app(), free_port()))
        return self

    def close(self) -> None:
        self._stack.close()
        if self._ws_loop is not None:
            with contextlib.suppress(Exception):
                self._on_ws_loop(self._stop_ws())
            self._ws_loop.call_soon_threadsafe(self._ws_loop.stop)
            if self._ws_thread is not None:
                self._ws_thread.join(timeout=5)
            self._ws_loop.close()
            self._ws_loop = None

    def __enter__(self) -> FakeDingTalk:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> FakeDingTalk:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.close)

    # --- addresses and builders -----------------------------------------------------------------------------------

    def session_webhook(self, session: str = "fake-session") -> str:
        return f"{self.base_url}/robot/sendBySession?session={quote(session)}"

    def group_webhook(self, access_token: str = "fake-group-token") -> str:
        return f"{self.base_url}/robot/send?access_token={quote(access_token)}"

    def robot_message(self, msgtype: str = "text", **fields: Any) -> dict[str, Any]:
        """`robot_message` with this fake's robot code and a session webhook that points here."""
        fields.setdefault("robot_code", self.app_key)
        fields.setdefault("session_webhook", self.session_webhook())
        return robot_message(msgtype, **fields)

    def callback_headers(self, now_ms: int | None = None) -> dict[str, str]:
        """The `timestamp` and `sign` headers DingTalk puts on an HTTP callback."""
        timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
        return {"timestamp": timestamp, "sign": sign(timestamp, self.app_secret)}

    # --- HTTP controls --------------------------------------------------------------------------------------------

    def add_file(self, download_code: str, content: bytes, *, download_url: str | None = None) -> None:
        """Serve `content` for a download code; `download_url` replaces the loopback link DingTalk hands back."""
        with self._lock:
            self._files[download_code] = (content, download_url)

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working, as when DingTalk expires one early."""
        with self._lock:
            self._valid_tokens.clear()

    def fail(self, endpoint: Endpoint, times: int = 1, status: int = 500, *, errcode: int | None = None) -> None:
        """The next `times` calls of an endpoint answer `status` (or, with errcode, HTTP 200 and that errcode)."""
        with self._lock:
            self._failures[endpoint] = _Failure(times, status, errcode)

    # --- WebSocket controls ---------------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return bool(self._live)

    def push_callback(self, data: Mapping[str, Any] | str, *, message_id: str | None = None,
                      topic: str = BOT_TOPIC) -> str:
        """Send a CALLBACK frame (a robot message by default) on the live connection; returns its messageId."""
        mid = message_id or _message_id()
        payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        self._push(self._frame("CALLBACK", topic, mid, payload))
        return mid

    def push_ping(self, opaque: str | None = None) -> str:
        mid = _message_id()
        self._push(self._frame("SYSTEM", "ping", mid, json.dumps({"opaque": opaque or uuid.uuid4().hex})))
        return mid

    def push_disconnect(self, reason: str = "connection is expired") -> None:
        """DingTalk's planned disconnect: the frame, then the server closes `disconnect_grace_s` later."""
        frame = {"specVersion": "1.0", "type": "SYSTEM",
                 "headers": {"topic": "disconnect", "contentType": "application/json"},
                 "data": json.dumps({"reason": reason})}
        ws = self._push(frame)

        async def close_later() -> None:
            await asyncio.sleep(self.disconnect_grace_s)
            await ws.close()

        assert self._ws_loop is not None
        self._ws_loop.call_soon_threadsafe(lambda: self._ws_loop.create_task(close_later()))  # type: ignore[union-attr]

    def drop(self) -> None:
        """The live connection vanishes: TCP aborted, no close frame (a network cut)."""
        async def abort() -> None:
            ws = self._current()
            ws.transport.abort()

        self._on_ws_loop(abort())

    def ack_for(self, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            return next((frame for frame in self.received
                         if isinstance(frame.get("headers"), dict) and frame["headers"].get("messageId") == message_id),
                        None)

    # --- waiting (polling: works from any thread or loop) ---------------------------------------------------------

    async def wait_until(self, predicate: Callable[[], bool], what: str = "condition", timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"fake DingTalk: timed out waiting for {what}")
            await asyncio.sleep(0.01)

    def wait_until_sync(self, predicate: Callable[[], bool], what: str = "condition", timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"fake DingTalk: timed out waiting for {what}")
            time.sleep(0.01)

    async def wait_connections(self, count: int, timeout: float = 5.0) -> None:
        """Until `count` connections have been accepted in all and one is live."""
        await self.wait_until(lambda: self.connections >= count and self.connected, f"connection #{count}", timeout)

    def wait_connections_sync(self, count: int, timeout: float = 5.0) -> None:
        self.wait_until_sync(lambda: self.connections >= count and self.connected, f"connection #{count}", timeout)

    async def wait_ack(self, message_id: str, timeout: float = 5.0) -> dict[str, Any]:
        await self.wait_until(lambda: self.ack_for(message_id) is not None, f"the ACK of {message_id}", timeout)
        ack = self.ack_for(message_id)
        assert ack is not None
        return ack

    def wait_ack_sync(self, message_id: str, timeout: float = 5.0) -> dict[str, Any]:
        self.wait_until_sync(lambda: self.ack_for(message_id) is not None, f"the ACK of {message_id}", timeout)
        ack = self.ack_for(message_id)
        assert ack is not None
        return ack

    # --- HTTP part ------------------------------------------------------------------------------------------------

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1.0/oauth2/accessToken")
        async def access_token(request: Request) -> Response:
            body = await request.json()
            with self._lock:
                self.token_requests.append(body)
            if failure := self._take_failure("token"):
                return failure
            if body.get("appKey") != self.app_key or body.get("appSecret") != self.app_secret:
                return JSONResponse({"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"},
                                    status_code=400)
            token = f"fake-token-{uuid.uuid4().hex[:10]}"
            with self._lock:
                self._valid_tokens.add(token)
            return JSONResponse({"accessToken": token, "expireIn": self.token_ttl_s})

        @app.post("/v1.0/robot/messageFiles/download")
        async def download(request: Request) -> Response:
            if refusal := self._check_token(request, "download"):
                return refusal
            body = await request.json()
            with self._lock:
                entry = self._files.get(body.get("downloadCode", ""))
            if body.get("robotCode") != self.app_key or entry is None:
                return JSONResponse({"code": "invalidParameter", "message": "downloadCode or robotCode"},
                                    status_code=400)
            url = entry[1] or f"{self.base_url}/files/{quote(body['downloadCode'], safe='')}"
            return JSONResponse({"downloadUrl": url})

        @app.get("/files/{key:path}")
        async def file(key: str) -> Response:
            with self._lock:
                self.file_fetches.append(key)
                entry = self._files.get(key)
            if failure := self._take_failure("file"):
                return failure
            if entry is None:
                return Response(status_code=404)
            return Response(entry[0], media_type="application/octet-stream")

        @app.post("/v1.0/robot/oToMessages/batchSend")
        async def batch_send(request: Request) -> Response:
            if refusal := self._check_token(request, "batch-send"):
                return refusal
            body = await request.json()
            user_ids = body.get("userIds")
            if not isinstance(user_ids, list) or not 1 <= len(user_ids) <= 20 or body.get("robotCode") != self.app_key:
                return JSONResponse({"code": "invalidParameter", "message": "userIds or robotCode"}, status_code=400)
            sent = SentRobotMessage(body["robotCode"], tuple(user_ids), body.get("msgKey", ""),
                                    json.loads(body.get("msgParam", "{}")))
            with self._lock:
                self.sent.append(sent)
            return JSONResponse({"processQueryKey": f"pqk-{uuid.uuid4().hex[:8]}", "invalidStaffIdList": [],
                                 "flowControlledStaffIdList": []})

        @app.post("/media/upload")
        async def upload(request: Request) -> Response:
            with self._lock:
                valid = request.query_params.get("access_token", "") in self._valid_tokens
            if failure := self._take_failure("upload"):
                return failure
            if not valid:
                return JSONResponse({"errcode": 40014, "errmsg": "不合法的access_token"})
            form = await request.form()
            media = form.get("media")
            if media is None or isinstance(media, str):
                return JSONResponse({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
            media_id = f"@lA{uuid.uuid4().hex[:16]}"
            content = await media.read()
            with self._lock:
                self.uploads[media_id] = (media.filename or "", content)
            return JSONResponse({"errcode": 0, "errmsg": "ok", "type": request.query_params.get("type", "file"),
                                 "media_id": media_id, "created_at": int(time.time() * 1000)})

        @app.post("/robot/sendBySession")
        async def session_reply(request: Request) -> Response:
            body = await request.json()
            post = WebhookPost(request.query_params.get("session", ""), body, dict(request.query_params))
            with self._lock:
                self.replies.append(post)
            if failure := self._take_failure("session-webhook"):
                return failure
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @app.post("/robot/send")
        async def group_robot(request: Request) -> Response:
            body = await request.json()
            query = dict(request.query_params)
            if failure := self._take_failure("group-webhook"):
                return failure
            if self.group_secret is not None:
                timestamp = query.get("timestamp", "")
                fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3_600_000
                if not fresh or query.get("sign") != sign(timestamp, self.group_secret):
                    return JSONResponse({"errcode": 310000, "errmsg": "sign not match"})
            with self._lock:
                self.group_posts.append(WebhookPost(query.get("access_token", ""), body, query))
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @app.post("/v1.0/gateway/connections/open")
        async def gateway(request: Request) -> Response:
            body = await request.json()
            with self._lock:
                self.gateway_opens.append(body)
            if failure := self._take_failure("gateway"):
                return failure
            if body.get("clientId") != self.app_key or body.get("clientSecret") != self.app_secret:
                return JSONResponse({"code": "authFailed", "message": "鉴权失败"}, status_code=401)
            ticket = str(uuid.uuid4())
            with self._lock:
                self._tickets.add(ticket)
            return JSONResponse({"endpoint": self.ws_endpoint, "ticket": ticket})

        return app

    def _take_failure(self, endpoint: Endpoint) -> Response | None:
        with self._lock:
            failure = self._failures.get(endpoint)
            if failure is None or failure.times <= 0:
                return None
            failure.times -= 1
        if failure.errcode is not None:
            return JSONResponse({"errcode": failure.errcode, "errmsg": "injected failure"})
        return JSONResponse({"code": "ServiceUnavailable", "message": "injected failure"}, status_code=failure.status)

    def _check_token(self, request: Request, endpoint: Endpoint) -> Response | None:
        with self._lock:
            self.api_calls.append(endpoint)
            valid = request.headers.get("x-acs-dingtalk-access-token") in self._valid_tokens
        if not valid:
            # What api.dingtalk.com really answers for an expired or unknown token.
            return JSONResponse({"code": "InvalidAuthentication", "message": "不合法的access_token"}, status_code=400)
        return self._take_failure(endpoint)

    # --- WebSocket part -------------------------------------------------------------------------------------------

    def _on_ws_loop(self, coro: Any) -> Any:
        assert self._ws_loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._ws_loop).result(timeout=10)

    async def _start_ws(self) -> int:
        self._ws_server = await serve(self._ws_handler, self.host, 0, process_request=self._check_ticket)
        return int(next(iter(self._ws_server.sockets)).getsockname()[1])

    async def _stop_ws(self) -> None:
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()

    def _check_ticket(self, connection: ServerConnection, request: WsRequest) -> WsResponse | None:
        parts = urlsplit(request.path)
        ticket = parse_qs(parts.query).get("ticket", [""])[0]
        with self._lock:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # one connection per ticket
        if parts.path != "/connect" or not known:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "unknown ticket\n")
        return None

    async def _ws_handler(self, ws: ServerConnection) -> None:
        with self._lock:
            self.connections += 1
            self._live.append(ws)
        try:
            async for raw in ws:
                try:
                    frame = json.loads(raw)
                except ValueError:
                    frame = {"unreadable": str(raw)}
                with self._lock:
                    self.received.append(frame)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if ws in self._live:
                    self._live.remove(ws)

    def _current(self) -> ServerConnection:
        with self._lock:
            if not self._live:
                raise AssertionError("fake DingTalk: no client is connected")
            return self._live[-1]

    def _push(self, frame: dict[str, Any]) -> ServerConnection:
        async def send() -> ServerConnection:
            ws = self._current()
            await ws.send(json.dumps(frame, ensure_ascii=False))
            return ws

        result: ServerConnection = self._on_ws_loop(send())
        return result

    def _frame(self, kind: str, topic: str, message_id: str, data: str) -> dict[str, Any]:
        return {"specVersion": "1.0", "type": kind,
                "headers": {"appId": "fake-app-id", "contentType": "application/json", "messageId": message_id,
                            "time": str(int(time.time() * 1000)), "topic": topic},
                "data": data}


def _message_id() -> str:
    return f"fake_{uuid.uuid4().hex[:16]}"
