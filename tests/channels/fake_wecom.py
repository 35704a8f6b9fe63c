"""A fake WeCom platform for tests: the server API a self-built app calls (gettoken, media/get, media/upload,
message/send, message/update_template_card) as a small FastAPI app, and the callbacks WeCom would POST to the app.

Serve it on loopback and point `WeComApi(base_url=...)` at it:

    fake = FakeWeCom()
    with serve(fake.app, free_port()) as base_url:
        api = WeComApi(httpx.AsyncClient(), fake.corp_id, fake.secret, fake.agent_id, base_url=base_url)
        ...
        assert fake.sent[0]["text"]["content"] == "..."

and drive the app's callback route with `fake.callback(fake.text_message("zhangsan", "入库 3 箱"))`, whose
`params` and `body` are the query and body WeCom would send. Errcodes are WeCom's where WeCom documents them
(40001 wrong secret, 40013 wrong corp id, 40014 bad token, 42001 expired token, 40007 bad media id, 81013 no such
user); the fake is not a spec and does not check every rule WeCom does."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from defusedxml.ElementTree import fromstring
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from server.channels.wecom.crypto import WeComCrypto
from server.channels.wecom.xml import cdata

FAKE_CORP_ID = "wwfakecorp00000001"
FAKE_SECRET = "fake-app-secret-not-real"
FAKE_AGENT_ID = 1000002
FAKE_TOKEN = "fake-callback-token"
FAKE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, like every EncodingAESKey


@dataclass(frozen=True)
class StoredMedia:
    data: bytes
    content_type: str
    filename: str


@dataclass(frozen=True)
class CallbackRequest:
    """One request WeCom would make to the app's callback URL: `method` with `params` as the query and `body`."""

    method: str
    params: dict[str, str]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Failure:
    remaining: int
    errcode: int
    errmsg: str


class FakeWeCom:
    """The platform's state is plain attributes a test reads and sets: `sent` (every message/send body accepted, in
    order), `send_attempts` (every body received, failed ones included), `uploads`, `card_updates`,
    `token_requests`, `known_users` (None: any user exists)."""

    def __init__(self, *, corp_id: str = FAKE_CORP_ID, secret: str = FAKE_SECRET, agent_id: int = FAKE_AGENT_ID,
                 token: str = FAKE_TOKEN, encoding_aes_key: str = FAKE_AES_KEY, expires_in: int = 7200,
                 clock: Callable[[], float] = time.time) -> None:
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.token, self.encoding_aes_key, self.expires_in = token, encoding_aes_key, expires_in
        self.clock = clock
        # seals callbacks and opens passive replies; the freshness check is the app's, not the platform's
        self.crypto = WeComCrypto(token, encoding_aes_key, corp_id, clock=clock, max_age=None)
        self.media: dict[str, StoredMedia] = {}
        self.uploads: list[StoredMedia] = []
        self.sent: list[dict[str, Any]] = []
        self.send_attempts: list[dict[str, Any]] = []
        self.card_updates: list[dict[str, Any]] = []
        self.response_codes: list[str] = []
        self.token_requests = 0
        self.known_users: set[str] | None = None
        self._tokens: dict[str, float] = {}  # access token -> expiry on `clock`
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()  # the app runs in uvicorn's thread, the test in its own
        self.app = self._build()

    # test controls

    def add_media(self, data: bytes, content_type: str = "application/octet-stream",
                  filename: str | None = None) -> str:
        """Registers a temporary media file (what a member's image or voice message points at); its media id."""
        media_id = f"media-{next(self._ids)}-{secrets.token_hex(4)}"
        self.media[media_id] = StoredMedia(data, content_type, filename or media_id)
        return media_id

    def expire_tokens(self) -> None:
        """Every access token issued so far answers 42001 (expired) from now on."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, float("-inf"))

    def fail_sends(self, count: int, errcode: int = -1, errmsg: str = "system busy") -> None:
        """The next `count` message/send calls answer `errcode` (WeCom's -1 is "system busy, retry")."""
        with self._lock:
            self._failures.append(_Failure(count, errcode, errmsg))

    # callbacks WeCom would make

    def callback(self, plaintext_xml: str, *, timestamp: str | None = None,
                 nonce: str | None = None) -> CallbackRequest:
        """The encrypted POST WeCom makes for `plaintext_xml` (a message from `text_message` and friends)."""
        timestamp = timestamp or str(int(self.clock()))
        nonce = nonce or str(secrets.randbelow(10**10))
        encrypted = self.crypto.encrypt(plaintext_xml.encode())
        body = (f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt>"
                f"<AgentID>{cdata(str(self.agent_id))}</AgentID></xml>")
        params = {"msg_signature": self.crypto.signature(timestamp, nonce, encrypted), "timestamp": timestamp,
                  "nonce": nonce}
        return CallbackRequest("POST", params, body.encode(), {"Content-Type": "text/xml"})

    def verification(self, echo: str | None = None, *, timestamp: str | None = None) -> tuple[CallbackRequest, str]:
        """The URL verification GET WeCom makes when the callback URL is saved, and the echo the app must answer."""
        echo = echo or str(secrets.randbelow(10**19))
        timestamp = timestamp or str(int(self.clock()))
        nonce = str(secrets.randbelow(10**10))
        echostr = self.crypto.encrypt(echo.encode())
        params = {"msg_signature": self.crypto.signature(timestamp, nonce, echostr), "timestamp": timestamp,
                  "nonce": nonce, "echostr": echostr}
        return CallbackRequest("GET", params), echo

    def open_reply(self, body: bytes | str) -> str:
        """The plaintext of a passive reply the app answered a callback with (its signature checked)."""
        root = {child.tag: child.text or "" for child in fromstring(body, forbid_dtd=True)}
        plain = self.crypto.decrypt(root["MsgSignature"], root["TimeStamp"], root["Nonce"], root["Encrypt"])
        return plain.decode()

    def _message(self, from_user: str, msg_type: str, inner: str, *, msg_id: bool = True) -> str:
        msg_id_xml = f"<MsgId>{secrets.randbelow(10**18) + 10**18}</MsgId>" if msg_id else ""
        return (f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
                f"<CreateTime>{int(self.clock())}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>{inner}"
                f"{msg_id_xml}<AgentID>{self.agent_id}</AgentID></xml>")

    def text_message(self, from_user: str, content: str) -> str:
        return self._message(from_user, "text", f"<Content>{cdata(content)}</Content>")

    def image_message(self, from_user: str, media_id: str, pic_url: str = "https://wework.qpic.cn/fake.jpg") -> str:
        inner = f"<PicUrl>{cdata(pic_url)}</PicUrl><MediaId>{cdata(media_id)}</MediaId>"
        return self._message(from_user, "image", inner)

    def voice_message(self, from_user: str, media_id: str, audio_format: str = "amr") -> str:
        inner = f"<MediaId>{cdata(media_id)}</MediaId><Format>{cdata(audio_format)}</Format>"
        return self._message(from_user, "voice", inner)

    def event(self, from_user: str, event: str, event_key: str = "") -> str:
        inner = f"<Event>{cdata(event)}</Event><EventKey>{cdata(event_key)}</EventKey>"
        return self._message(from_user, "event", inner, msg_id=False)

    def card_click(self, from_user: str, event_key: str, task_id: str, response_code: str | None = None) -> str:
        """A button click on a button_interaction card; a fresh response code unless one is given."""
        code = response_code or self._new_response_code()
        inner = (f"<Event><![CDATA[template_card_event]]></Event><EventKey>{cdata(event_key)}</EventKey>"
                 f"<TaskId>{cdata(task_id)}</TaskId><CardType><![CDATA[button_interaction]]></CardType>"
                 f"<ResponseCode>{cdata(code)}</ResponseCode>")
        return self._message(from_user, "event", inner, msg_id=False)

    def _new_response_code(self) -> str:
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.response_codes.append(code)
        return code

    # the server API

    def _token_error(self, token: str | None) -> JSONResponse | None:
        with self._lock:
            expires = self._tokens.get(token or "")
        if expires is None:
            return JSONResponse({"errcode": 40014, "errmsg": "invalid access_token"})
        if self.clock() >= expires:
            return JSONResponse({"errcode": 42001, "errmsg": "access_token expired"})
        return None

    def _build(self) -> FastAPI:
        app = FastAPI(title="fake WeCom")

        @app.get("/cgi-bin/gettoken")
        async def gettoken(corpid: str = "", corpsecret: str = "") -> JSONResponse:
            with self._lock:
                self.token_requests += 1
            if corpid != self.corp_id:
                return JSONResponse({"errcode": 40013, "errmsg": "invalid corpid"})
            if corpsecret != self.secret:
                return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
            token = secrets.token_urlsafe(32)
            with self._lock:
                self._tokens[token] = self.clock() + self.expires_in
            return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in})

        @app.get("/cgi-bin/media/get")
        async def media_get(access_token: str = "", media_id: str = "") -> Response:
            if (error := self._token_error(access_token)) is not None:
                return error
            media = self.media.get(media_id)
            if media is None:
                return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
            return Response(media.data, media_type=media.content_type,
                            headers={"Content-disposition": f'attachment; filename="{media.filename}"'})

        @app.post("/cgi-bin/media/upload")
        async def media_upload(request: Request, access_token: str = "", type: str = "") -> JSONResponse:
            if (error := self._token_error(access_token)) is not None:
                return error
            if type not in ("image", "voice", "video", "file"):
                return JSONResponse({"errcode": 40004, "errmsg": "invalid media type"})
            form = await request.form()
            upload = form.get("media")
            if upload is None or isinstance(upload, str):
                return JSONResponse({"errcode": 41001, "errmsg": "media data missing"})
            data = await upload.read()
            if not data:
                return JSONResponse({"errcode": 40006, "errmsg": "invalid file size"})
            stored = StoredMedia(data, upload.content_type or "application/octet-stream", upload.filename or "")
            media_id = f"upload-{next(self._ids)}-{secrets.token_hex(4)}"
            with self._lock:
                self.uploads.append(stored)
                self.media[media_id] = stored
            return JSONResponse({"errcode": 0, "errmsg": "ok", "type": type, "media_id": media_id,
                                 "created_at": str(int(self.clock()))})

        @app.post("/cgi-bin/message/send")
        async def message_send(request: Request, access_token: str = "") -> JSONResponse:
            if (error := self._token_error(access_token)) is not None:
                return error
            body: dict[str, Any] = await request.json()
            with self._lock:
                self.send_attempts.append(body)
                failure = next((f for f in self._failures if f.remaining > 0), None)
                if failure is not None:
                    failure.remaining -= 1
            if failure is not None:
                return JSONResponse({"errcode": failure.errcode, "errmsg": failure.errmsg})
            if body.get("agentid") != self.agent_id:
                return JSONResponse({"errcode": 40056, "errmsg": "invalid agentid"})
            msgtype = body.get("msgtype")
            if msgtype not in ("text", "markdown", "file", "image", "voice", "template_card") or \
                    not isinstance(body.get(msgtype), dict):
                return JSONResponse({"errcode": 40008, "errmsg": "invalid message type"})
            if msgtype in ("text", "markdown") and not body[msgtype].get("content"):
                return JSONResponse({"errcode": 44004, "errmsg": "empty content"})
            if msgtype in ("file", "image", "voice") and body[msgtype].get("media_id") not in self.media:
                return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
            users = str(body.get("touser", "")).split("|")
            if self.known_users is not None and not set(users) & self.known_users:
                return JSONResponse({"errcode": 81013, "errmsg": "user & party & tag all invalid"})
            answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": f"fake-msg-{next(self._ids)}"}
            if self.known_users is not None and (invalid := [u for u in users if u not in self.known_users]):
                answer["invaliduser"] = "|".join(invalid)
            if msgtype == "template_card" and body[msgtype].get("card_type") in (
                    "button_interaction", "vote_interaction", "multiple_interaction"):
                answer["response_code"] = self._new_response_code()
            with self._lock:
                self.sent.append(body)
            return JSONResponse(answer)

        @app.post("/cgi-bin/message/update_template_card")
        async def update_template_card(request: Request, access_token: str = "") -> JSONResponse:
            if (error := self._token_error(access_token)) is not None:
                return error
            body: dict[str, Any] = await request.json()
            with self._lock:
                known = body.get("response_code") in self.response_codes
                if known:
                    self.response_codes.remove(body["response_code"])  # a response code works once
                    self.card_updates.append(body)
            if not known:  # unknown or used: 40058 is WeCom's "invalid parameter"; the exact code is unconfirmed
                return JSONResponse({"errcode": 40058, "errmsg": "invalid response_code (fake)"})
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        return app
