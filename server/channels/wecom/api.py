"""The WeCom server API a self-built app calls: access token, media download and upload, app messages.

Every call goes to `base_url` (WeCom's by default, a loopback fake in tests) on an injected `httpx.AsyncClient`,
whose timeouts and proxies are the caller's. The access token is cached until shortly before WeCom says it expires
and fetched again once, with the call retried, when WeCom answers that it is invalid or expired (40014, 42001,
40001): a token can be revoked early, e.g. when the secret is reset or another process fetched a new one.

Nothing secret is logged: not the secret, not the token, and never a request URL (it carries the token in its query);
HTTP errors are re-raised without the httpx exception, whose text holds that URL."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import httpx
import structlog

log = structlog.get_logger(__name__)

Clock = Callable[[], float]

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
TOKEN_MARGIN = 300.0  # seconds before WeCom's expiry that a cached token is fetched again
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})  # invalid credential, invalid access_token, access_token expired
MAX_MEDIA_BYTES = 20 << 20  # WeCom's own limit for a file; images are 10 MB, voice 2 MB
_TASK_ID = re.compile(r"[0-9A-Za-z_\-@]{1,128}")


class WeComApiError(Exception):
    """A WeCom API call that did not succeed. `code` is one of: "token-failed" (gettoken refused: wrong corp id or
    secret), "api-error" (errcode ≠ 0; `errcode`/`errmsg` are WeCom's), "http-error" (a non-2xx status, in
    `status`), "timeout", "transport-error" (connection refused, reset, DNS), "bad-response" (not the JSON or media
    WeCom answers), "media-too-large", "card-invalid" (a template card WeCom would refuse)."""

    def __init__(self, code: str, errcode: int | None = None, errmsg: str = "", *, status: int | None = None) -> None:
        detail = f" errcode={errcode} errmsg={errmsg}" if errcode is not None else (f" {errmsg}" if errmsg else "")
        super().__init__(f"{code}{detail}" + (f" status={status}" if status is not None else ""))
        self.code = code
        self.errcode = errcode
        self.errmsg = errmsg
        self.status = status


@dataclass(frozen=True)
class Media:
    """A downloaded temporary media file. `filename` is from Content-Disposition (WeCom names it after the media id
    with the type's extension, e.g. "MEDIA_ID.amr")."""

    data: bytes
    content_type: str
    filename: str | None


@dataclass(frozen=True)
class SentMessage:
    """WeCom's answer to message/send. `response_code` comes only for interactive template cards (one use of
    update_template_card within 72 hours); `invalid_user` lists recipients WeCom did not deliver to ("a|b")."""

    msg_id: str | None
    response_code: str | None = None
    invalid_user: str | None = None


@dataclass(frozen=True)
class CardButton:
    """A callback button: a click comes back as a template_card_event with EventKey = `key`. `style` 1–4 is
    WeCom's button colour (1 by default)."""

    key: str
    text: str
    style: int = 1


@dataclass(frozen=True)
class ButtonCard:
    """A `button_interaction` template card: a title, optional description and key/value lines, and up to 6
    buttons. `task_id` ties clicks to the card: unique per app, [0-9A-Za-z_-@], at most 128 bytes."""

    task_id: str
    title: str
    buttons: tuple[CardButton, ...]
    description: str | None = None
    sub_title: str | None = None
    lines: tuple[tuple[str, str], ...] = ()  # (keyname, value): WeCom's horizontal_content_list, at most 6
    source: str | None = None

    def __post_init__(self) -> None:
        if not _TASK_ID.fullmatch(self.task_id):
            raise WeComApiError("card-invalid", errmsg="task_id: 1-128 of [0-9A-Za-z_-@]")
        if not self.title:
            raise WeComApiError("card-invalid", errmsg="a title")
        if not 1 <= len(self.buttons) <= 6:
            raise WeComApiError("card-invalid", errmsg="1 to 6 buttons")
        keys = [button.key for button in self.buttons]
        if len(set(keys)) != len(keys) or any(not key or len(key.encode()) > 1024 for key in keys):
            raise WeComApiError("card-invalid", errmsg="button keys: distinct, 1-1024 bytes")
        if any(not 1 <= button.style <= 4 or not button.text for button in self.buttons):
            raise WeComApiError("card-invalid", errmsg="button text, style 1-4")
        if len(self.lines) > 6:
            raise WeComApiError("card-invalid", errmsg="at most 6 lines")

    def payload(self) -> dict[str, Any]:
        """The `template_card` object of message/send, field names as WeCom's "发送应用消息" page spells them."""
        main_title: dict[str, str] = {"title": self.title}
        if self.description:
            main_title["desc"] = self.description
        card: dict[str, Any] = {"card_type": "button_interaction", "main_title": main_title, "task_id": self.task_id,
                                "button_list": [{"type": 0, "text": b.text, "style": b.style, "key": b.key}
                                                for b in self.buttons]}
        if self.source:
            card["source"] = {"desc": self.source}
        if self.sub_title:
            card["sub_title_text"] = self.sub_title
        if self.lines:
            card["horizontal_content_list"] = [{"keyname": key, "value": value} for key, value in self.lines]
        return card


def confirm_card(task_id: str, title: str, *, confirm_key: str, confirm_label: str, cancel_key: str,
                 cancel_label: str, description: str | None = None, sub_title: str | None = None,
                 lines: tuple[tuple[str, str], ...] = ()) -> ButtonCard:
    """A two-button confirm / cancel card: keys and labels (in the member's language) are the caller's."""
    return ButtonCard(task_id=task_id, title=title, description=description, sub_title=sub_title, lines=lines,
                      buttons=(CardButton(confirm_key, confirm_label, style=1),
                               CardButton(cancel_key, cancel_label, style=2)))


@dataclass
class _Token:
    value: str
    expires_at: float  # on the client's clock


@dataclass(frozen=True)
class _Call:
    """One API request, rebuilt with a fresh token when the first answer says the token is bad."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    json_body: Mapping[str, Any] | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None


class WeComApi:
    """A self-built app's API client: `corp_id` and the app's `secret` fetch the token; `agent_id` goes into every
    message."""

    def __init__(self, http: httpx.AsyncClient, corp_id: str, secret: str, agent_id: int, *,
                 base_url: str = DEFAULT_BASE_URL, clock: Clock = time.monotonic,
                 token_margin: float = TOKEN_MARGIN, max_media_bytes: int = MAX_MEDIA_BYTES) -> None:
        self._http = http
        self._corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id
        self._base = base_url.rstrip("/")
        self._clock = clock
        self._margin = token_margin
        self._max_media = max_media_bytes
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:  # no secret in a repr that ends up in a log or a traceback
        return f"WeComApi(corp_id={self._corp_id!r}, agent_id={self.agent_id}, base_url={self._base!r})"

    # the access token

    async def access_token(self) -> str:
        """The cached token, or a new one from /cgi-bin/gettoken when there is none or it is about to expire."""
        token = self._token
        if token is not None and self._clock() < token.expires_at:
            return token.value
        async with self._token_lock:  # concurrent callers wait for one fetch instead of each fetching
            token = self._token
            if token is not None and self._clock() < token.expires_at:
                return token.value
            return await self._fetch_token()

    def invalidate_token(self) -> None:
        self._token = None

    async def _fetch_token(self) -> str:
        params = {"corpid": self._corp_id, "corpsecret": self._secret}
        response = await self._send("GET", "/cgi-bin/gettoken", params=params)
        body = _json(response)
        errcode = _errcode(body)
        if errcode != 0:
            log.warning("wecom.api.token_failed", errcode=errcode, errmsg=str(body.get("errmsg", "")))
            raise WeComApiError("token-failed", errcode, str(body.get("errmsg", "")))
        value, expires_in = body.get("access_token"), body.get("expires_in", 7200)
        if not isinstance(value, str) or not value or not isinstance(expires_in, int):
            raise WeComApiError("bad-response", errmsg="gettoken without access_token/expires_in")
        # a short-lived token is still used once rather than refetched on every call
        lifetime = max(expires_in - self._margin, min(expires_in, 60) / 2)
        self._token = _Token(value, self._clock() + lifetime)
        log.info("wecom.api.token_fetched", expires_in=expires_in)
        return value

    # transport

    async def _send(self, method: str, path: str, *, params: Mapping[str, str],
                    json_body: Mapping[str, Any] | None = None,
                    files: Mapping[str, tuple[str, bytes, str]] | None = None,
                    stream: bool = False) -> httpx.Response:
        url = self._base + path
        try:
            request = self._http.build_request(method, url, params=params, json=json_body, files=files)
            response = await self._http.send(request, stream=stream)
        except httpx.TimeoutException:
            log.warning("wecom.api.timeout", path=path)
            raise WeComApiError("timeout", errmsg=path) from None
        except httpx.TransportError as exc:
            log.warning("wecom.api.transport_error", path=path, kind=type(exc).__name__)
            raise WeComApiError("transport-error", errmsg=f"{path}: {type(exc).__name__}") from None
        if not response.is_success:
            if stream:
                await response.aclose()
            log.warning("wecom.api.http_error", path=path, status=response.status_code)
            raise WeComApiError("http-error", errmsg=path, status=response.status_code)
        return response

    async def _call(self, call: _Call) -> dict[str, Any]:
        """A JSON call with the token, retried once with a new token when WeCom says it is invalid or expired."""
        for attempt in (1, 2):
            token = await self.access_token()
            response = await self._send(call.method, call.path, params={**call.params, "access_token": token},
                                        json_body=call.json_body, files=call.files)
            body = _json(response)
            errcode = _errcode(body)
            if errcode in TOKEN_ERRCODES and attempt == 1:
                log.info("wecom.api.token_rejected", path=call.path, errcode=errcode)
                self._drop(token)
                continue
            if errcode != 0:
                log.warning("wecom.api.error", path=call.path, errcode=errcode, errmsg=str(body.get("errmsg", "")))
                raise WeComApiError("api-error", errcode, str(body.get("errmsg", "")))
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop(self, token: str) -> None:
        """Forget `token` unless another call has already replaced it."""
        if self._token is not None and self._token.value == token:
            self._token = None

    # media

    async def download_media(self, media_id: str) -> Media:
        """A temporary media file (image, voice, video, file) by its media id, via /cgi-bin/media/get. WeCom answers
        the bytes, or a JSON body with an errcode."""
        for attempt in (1, 2):
            token = await self.access_token()
            response = await self._send("GET", "/cgi-bin/media/get", params={"access_token": token,
                                                                            "media_id": media_id}, stream=True)
            try:
                data = await self._read_capped(response)
            finally:
                await response.aclose()
            content_type = response.headers.get("content-type", "application/octet-stream")
            if _looks_like_json(content_type, data):
                body = _json_bytes(data)
                errcode = _errcode(body)
                if errcode in TOKEN_ERRCODES and attempt == 1:
                    log.info("wecom.api.token_rejected", path="/cgi-bin/media/get", errcode=errcode)
                    self._drop(token)
                    continue
                log.warning("wecom.api.media_error", media_id=media_id, errcode=errcode)
                raise WeComApiError("api-error", errcode, str(body.get("errmsg", "")))
            filename = _filename(response.headers.get("content-disposition"))
            log.info("wecom.api.media_downloaded", media_id=media_id, bytes=len(data))
            return Media(data=data, content_type=content_type.split(";")[0].strip(), filename=filename)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self._max_media:
            raise WeComApiError("media-too-large", errmsg=f"{declared} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self._max_media:
                    raise WeComApiError("media-too-large", errmsg=f"over {self._max_media} bytes")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise WeComApiError("timeout", errmsg="/cgi-bin/media/get") from None
        except httpx.TransportError as exc:
            raise WeComApiError("transport-error", errmsg=f"/cgi-bin/media/get: {type(exc).__name__}") from None
        return b"".join(chunks)

    async def upload_media(self, data: bytes, filename: str, media_type: str = "file",
                           content_type: str = "application/octet-stream") -> str:
        """A temporary media id (valid 3 days) for `data`, via /cgi-bin/media/upload (multipart field "media";
        the filename is what members see)."""
        body = await self._call(_Call("POST", "/cgi-bin/media/upload", params={"type": media_type},
                                      files={"media": (filename, data, content_type)}))
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComApiError("bad-response", errmsg="media/upload without media_id")
        log.info("wecom.api.media_uploaded", media_id=media_id, bytes=len(data))
        return media_id

    # messages

    async def _send_message(self, user: str, msgtype: str, content: Mapping[str, Any]) -> SentMessage:
        payload = {"touser": user, "msgtype": msgtype, "agentid": self.agent_id, msgtype: content}
        body = await self._call(_Call("POST", "/cgi-bin/message/send", json_body=payload))
        sent = SentMessage(msg_id=_text(body.get("msgid")), response_code=_text(body.get("response_code")),
                           invalid_user=_text(body.get("invaliduser")))
        log.info("wecom.api.message_sent", msgtype=msgtype, msg_id=sent.msg_id, invalid_user=sent.invalid_user)
        return sent

    async def send_text(self, user: str, text: str) -> SentMessage:
        """A text message (WeCom cuts it past 2048 bytes). `user` is a UserID, or several joined with "|"."""
        return await self._send_message(user, "text", {"content": text})

    async def send_markdown(self, user: str, content: str) -> SentMessage:
        """A markdown message (WeCom's subset; shown only in the WeCom client, not in WeChat)."""
        return await self._send_message(user, "markdown", {"content": content})

    async def send_template_card(self, user: str, card: ButtonCard) -> SentMessage:
        return await self._send_message(user, "template_card", card.payload())

    async def send_file(self, user: str, data: bytes, filename: str,
                        content_type: str = "application/octet-stream") -> SentMessage:
        """Uploads `data` as a temporary file and sends it."""
        media_id = await self.upload_media(data, filename, "file", content_type)
        return await self._send_message(user, "file", {"media_id": media_id})

    async def update_template_card(self, users: Sequence[str], response_code: str, replace_name: str) -> None:
        """Turns a clicked card's buttons into one unclickable button reading `replace_name` ("已确认") for
        `users`, via /cgi-bin/message/update_template_card. `response_code` comes from the click (or the send)
        and works once."""
        payload = {"userids": list(users), "agentid": self.agent_id, "response_code": response_code,
                   "button": {"replace_name": replace_name}}
        await self._call(_Call("POST", "/cgi-bin/message/update_template_card", json_body=payload))
        log.info("wecom.api.card_updated", users=len(users))


def _json(response: httpx.Response) -> dict[str, Any]:
    return _json_bytes(response.content)


def _json_bytes(data: bytes) -> dict[str, Any]:
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise WeComApiError("bad-response", errmsg="not JSON") from None
    if not isinstance(body, dict):
        raise WeComApiError("bad-response", errmsg="not a JSON object")
    return body


def _errcode(body: Mapping[str, Any]) -> int:
    errcode = body.get("errcode", 0)  # gettoken and media/upload put errcode 0 in; some answers leave it out
    if not isinstance(errcode, int):
        raise WeComApiError("bad-response", errmsg="errcode is not an integer")
    return errcode


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _looks_like_json(content_type: str, data: bytes) -> bool:
    """WeCom answers a media error as JSON, labelled application/json or text/plain: a small body starting with "{"
    that parses with an errcode is an error whatever its label, anything else is media."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in ("application/json", "text/json"):
        return True
    if len(data) > 4096 or not data.lstrip().startswith(b"{"):
        return False
    try:
        return "errcode" in json.loads(data)
    except (ValueError, UnicodeDecodeError, TypeError):
        return False


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    message = Message()
    message["content-disposition"] = disposition
    name = message.get_filename()
    if not name:
        return None
    # only the last path component: a name is never a path into the caller's disk
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip('"')
    return base if base not in ("", ".", "..") else None
