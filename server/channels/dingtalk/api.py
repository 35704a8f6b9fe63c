"""DingTalk's HTTP APIs the assistant needs, on an injected httpx.AsyncClient: the app access token, media download,
replies on a session webhook, robot messages to staff (markdown, a two-button card). Group robots (the alerts):
`server.channels.groups`.

Every URL that does not come from configuration (a download link DingTalk hands back, a message's session webhook) is
checked against an allowed host list first: a message must never make the box call an arbitrary host. Redirects are
never followed for the same reason."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import structlog

from server.channels.dingtalk.errors import DingTalkError

log = structlog.get_logger(__name__)

DEFAULT_API_BASE = "https://api.dingtalk.com"
DEFAULT_OAPI_BASE = "https://oapi.dingtalk.com"
TOKEN_PATH = "/v1.0/oauth2/accessToken"
DOWNLOAD_PATH = "/v1.0/robot/messageFiles/download"
BATCH_SEND_PATH = "/v1.0/robot/oToMessages/batchSend"
UPLOAD_PATH = "/media/upload"  # on oapi.dingtalk.com, the token as a query parameter
OAPI_TOKEN_ERRCODES = frozenset({40014, 42001})  # 不合法的access_token, access_token超时
TOKEN_HEADER = "x-acs-dingtalk-access-token"
BATCH_SEND_LIMIT = 20  # "userIds … 每次最多传20个"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class SendResult:
    """What the batch-send API accepted: one query key per batch of 20, and the staff ids it refused or throttled."""

    process_query_keys: tuple[str, ...]
    invalid_staff_ids: tuple[str, ...] = ()
    flow_controlled_staff_ids: tuple[str, ...] = ()


def send_message_link(content: str) -> str:
    """A link that, tapped in the DingTalk client, sends `content` to the chat as if the user had typed it.

    The dtmd scheme is what DingTalk's clients use for this in markdown and action-card buttons; see the package
    report: it is widely used but was not found in the official docs we could read."""
    return "dtmd://dingtalkclient/sendMessage?content=" + quote(content, safe="")


class _TokenRejected(Exception):
    """An OpenAPI call answered that the access token is invalid or expired (internal: triggers one refresh)."""


class DingTalkApi:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        app_key: str,
        app_secret: str,
        robot_code: str | None = None,
        download_hosts: Iterable[str],
        webhook_hosts: Iterable[str] | None = None,
        api_base: str = DEFAULT_API_BASE,
        oapi_base: str = DEFAULT_OAPI_BASE,
        timeout_s: float = 10.0,
        token_margin_s: float = 300.0,
        max_download_bytes: int = 20 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`download_hosts`: hosts a download link may point at (exact, or "*.example.com" for any subdomain).
        `webhook_hosts`: hosts a session webhook may point at; by default the host of `oapi_base`.
        `robot_code`: for an organisation's internal app robot it is the app key, the default."""
        self._http = http
        self._app_key = app_key
        self._app_secret = app_secret
        self._robot_code = robot_code or app_key
        self._download_hosts = _normalise_hosts(download_hosts)
        self._webhook_hosts = _normalise_hosts(webhook_hosts if webhook_hosts is not None
                                               else [httpx.URL(oapi_base).host])
        self._api_base = api_base.rstrip("/")
        self._oapi_base = oapi_base.rstrip("/")
        self._timeout = timeout_s
        self._token_margin_s = token_margin_s
        self._max_download_bytes = max_download_bytes
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()

    # --- access token --------------------------------------------------------------------------------------------

    async def access_token(self) -> str:
        """The app's access token, fetched once and reused until `token_margin_s` before it expires."""
        async with self._token_lock:  # concurrent callers share one fetch
            if self._token is not None and self._clock() < self._token_expires_at:
                return self._token
            body = await self._post_json(self._api_base + TOKEN_PATH, {"appKey": self._app_key,
                                                                       "appSecret": self._app_secret},
                                         what="token", token_request=True)
            token, expire_in = body.get("accessToken"), body.get("expireIn")
            if not isinstance(token, str) or not token:
                raise DingTalkError("auth-failed", "no accessToken in the answer")
            lifetime = float(expire_in) if isinstance(expire_in, int | float) and expire_in > 0 else 7200.0
            # Refresh early so a token never expires between our check and DingTalk's; short lives refresh at half.
            margin = self._token_margin_s if lifetime > 2 * self._token_margin_s else lifetime / 2
            self._token, self._token_expires_at = token, self._clock() + lifetime - margin
            log.info("dingtalk-token-fetched", expires_in_s=int(lifetime))
            return token

    def invalidate_token(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, so two failing calls do not refetch twice)."""
        if token is None or token == self._token:
            self._token, self._token_expires_at = None, 0.0

    async def _call_openapi(self, path: str, body: Mapping[str, object], *, what: str) -> Mapping[str, object]:
        """POST to api.dingtalk.com with the token; on an auth failure refresh the token once and retry."""
        for attempt in (1, 2):
            token = await self.access_token()
            try:
                return await self._post_json(self._api_base + path, body, what=what, token=token)
            except _TokenRejected:
                self.invalidate_token(token)
                log.info("dingtalk-token-rejected", call=what, attempt=attempt)
        raise DingTalkError("auth-failed", f"{what}: token rejected after a refresh")

    # --- media -----------------------------------------------------------------------------------------------------

    async def download(self, download_code: str) -> bytes:
        """The bytes behind a message's download code (picture, audio, file, video, richText picture)."""
        body = await self._call_openapi(DOWNLOAD_PATH, {"downloadCode": download_code, "robotCode": self._robot_code},
                                        what="download")
        url = body.get("downloadUrl")
        if not isinstance(url, str) or not url:
            raise DingTalkError("api-failed", "download: no downloadUrl in the answer")
        parsed = _allowed_url(url, self._download_hosts, what="download")
        chunks: list[bytes] = []
        size = 0
        try:
            async with self._http.stream("GET", parsed, timeout=self._timeout, follow_redirects=False) as response:
                if response.status_code != 200:
                    raise DingTalkError("api-failed", f"download: HTTP {response.status_code} from {parsed.host}")
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self._max_download_bytes:
                        raise DingTalkError("download-too-large", f"over {self._max_download_bytes} bytes")
                    chunks.append(chunk)
        except httpx.HTTPError as error:
            raise DingTalkError("api-unreachable", f"download from {parsed.host}: {type(error).__name__}") from None
        log.info("dingtalk-downloaded", host=parsed.host, size=size)
        return b"".join(chunks)

    async def upload_media(self, data: bytes, filename: str, media_type: str = "file") -> str:
        """A media id for `data` (oapi /media/upload, multipart field "media"; a file up to 20 MB), retried once
        with a new token when DingTalk says the token is invalid or expired."""
        for attempt in (1, 2):
            token = await self.access_token()
            try:
                response = await self._http.post(
                    self._oapi_base + UPLOAD_PATH, params={"access_token": token, "type": media_type},
                    files={"media": (filename, data, "application/octet-stream")}, timeout=self._timeout,
                    follow_redirects=False)
            except httpx.HTTPError as error:
                raise DingTalkError("api-unreachable", f"upload: {type(error).__name__}") from None
            answer = json_object(response)
            if answer.get("errcode") in OAPI_TOKEN_ERRCODES and attempt == 1:
                self.invalidate_token(token)
                log.info("dingtalk-token-rejected", call="upload", attempt=attempt)
                continue
            if response.status_code >= 400:
                raise DingTalkError("api-failed", f"upload: HTTP {response.status_code}")
            _check_errcode(answer, "upload")
            media_id = answer.get("media_id")
            if not isinstance(media_id, str) or not media_id:
                raise DingTalkError("api-failed", "upload: no media_id in the answer")
            log.info("dingtalk-uploaded", size=len(data), media_type=media_type)
            return media_id
        raise DingTalkError("auth-failed", "upload: token rejected after a refresh")

    # --- sending ---------------------------------------------------------------------------------------------------

    async def reply(self, session_webhook: str, markdown_title: str, markdown_text: str,
                    *, at_staff_ids: Sequence[str] = ()) -> None:
        """Answer in the conversation a message came from, on its session webhook (no token needed: the URL is one)."""
        url = _allowed_url(session_webhook, self._webhook_hosts, what="reply")
        body: dict[str, object] = {"msgtype": "markdown", "markdown": {"title": markdown_title, "text": markdown_text}}
        if at_staff_ids:
            body["at"] = {"atUserIds": list(at_staff_ids)}
        answer = await self._post_json(url, body, what="reply")
        _check_errcode(answer, "reply")

    async def send_markdown(self, staff_ids: Sequence[str], title: str, text: str) -> SendResult:
        """A markdown message from the robot to each staff member's single chat with it."""
        return await self._batch_send(staff_ids, "sampleMarkdown", {"title": title, "text": text})

    async def send_confirm_card(self, staff_ids: Sequence[str], title: str, text: str, *,
                                confirm: str = "确认", cancel: str = "取消") -> SendResult:
        """A card with two buttons (sampleActionCard2, vertical); tapping one sends its word back as a message."""
        return await self._batch_send(staff_ids, "sampleActionCard2", {
            "title": title, "text": text,
            "actionTitle1": confirm, "actionURL1": send_message_link(confirm),
            "actionTitle2": cancel, "actionURL2": send_message_link(cancel),
        })

    async def send_file(self, staff_ids: Sequence[str], data: bytes, filename: str) -> SendResult:
        """A file (a signed contract) to each staff member's single chat with the robot: uploaded, then sampleFile."""
        media_id = await self.upload_media(data, filename)
        file_type = filename.rsplit(".", 1)[-1].lower() if "." in filename else "file"
        return await self._batch_send(staff_ids, "sampleFile", {"mediaId": media_id, "fileName": filename,
                                                                "fileType": file_type})

    async def _batch_send(self, staff_ids: Sequence[str], msg_key: str, msg_param: Mapping[str, str]) -> SendResult:
        if isinstance(staff_ids, str):  # a lone id would be sent letter by letter
            raise TypeError("staff_ids must be a sequence of ids, not a string")
        keys: list[str] = []
        invalid: list[str] = []
        throttled: list[str] = []
        param = json.dumps(msg_param, ensure_ascii=False)  # msgParam is a JSON *string* inside the JSON body
        for start in range(0, len(staff_ids), BATCH_SEND_LIMIT):
            batch = list(staff_ids[start:start + BATCH_SEND_LIMIT])
            answer = await self._call_openapi(BATCH_SEND_PATH, {"robotCode": self._robot_code, "userIds": batch,
                                                                "msgKey": msg_key, "msgParam": param},
                                              what="batch-send")
            key = answer.get("processQueryKey")
            if isinstance(key, str):
                keys.append(key)
            invalid += _str_list(answer.get("invalidStaffIdList"))
            throttled += _str_list(answer.get("flowControlledStaffIdList"))
        if invalid or throttled:
            log.warning("dingtalk-batch-send-partial", msg_key=msg_key, invalid=len(invalid), throttled=len(throttled))
        return SendResult(tuple(keys), tuple(invalid), tuple(throttled))

    # --- HTTP ------------------------------------------------------------------------------------------------------

    async def _post_json(self, url: str | httpx.URL, body: Mapping[str, object], *, what: str,
                         token: str | None = None, token_request: bool = False) -> Mapping[str, object]:
        """POST JSON, answer the JSON object. With `token` (an OpenAPI call) an auth refusal raises _TokenRejected."""
        target = httpx.URL(url)
        headers = {TOKEN_HEADER: token} if token is not None else None
        try:
            response = await self._http.post(target, json=body, headers=headers, timeout=self._timeout,
                                             follow_redirects=False)
        except httpx.HTTPError as error:
            raise DingTalkError("api-unreachable", f"{what} to {target.host}: {type(error).__name__}") from None
        answer = json_object(response)
        if response.status_code >= 400:
            code = answer.get("code")
            if token_request:
                # 4xx on the token call: the credentials are wrong; 5xx: DingTalk is having trouble.
                raise DingTalkError("auth-failed" if response.status_code < 500 else "api-failed",
                                    f"token: HTTP {response.status_code} {code or ''}".rstrip())
            # An expired or revoked token: 401, or (as DingTalk actually answers) 400 with code InvalidAuthentication.
            invalid_token = isinstance(code, str) and code.lower() == "invalidauthentication"
            if token is not None and (response.status_code == 401 or invalid_token):
                raise _TokenRejected
            raise DingTalkError("api-failed", f"{what}: HTTP {response.status_code} {code or ''}".rstrip())
        return answer


def _normalise_hosts(hosts: Iterable[str]) -> frozenset[str]:
    if isinstance(hosts, str):
        raise TypeError("hosts must be a collection of host names, not a string")
    return frozenset(host.strip().lower().rstrip(".") for host in hosts if host.strip())


def _host_allowed(host: str, allowed: frozenset[str]) -> bool:
    if host in allowed:
        return True
    return any(pattern.startswith("*.") and host.endswith(pattern[1:]) for pattern in allowed)


def _allowed_url(url: str, allowed: frozenset[str], *, what: str) -> httpx.URL:
    """The URL parsed, if it is https (or http to loopback, for tests and local fakes) to an allowed host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise DingTalkError("host-not-allowed", f"{what}: not a URL") from None
    host = parsed.host.lower().rstrip(".")
    plain_ok = parsed.scheme == "http" and host in LOOPBACK_HOSTS
    if not (parsed.scheme == "https" or plain_ok) or not host or not _host_allowed(host, allowed):
        log.warning("dingtalk-host-refused", call=what, scheme=parsed.scheme, host=host)
        raise DingTalkError("host-not-allowed", f"{what}: {parsed.scheme}://{host}")
    return parsed


def _check_errcode(answer: Mapping[str, object], what: str) -> None:
    # The webhooks answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a refusal.
    errcode = answer.get("errcode", 0)
    if errcode != 0:
        raise DingTalkError("api-failed", f"{what}: errcode {errcode}")


def json_object(response: httpx.Response) -> Mapping[str, object]:
    """The response body as a JSON object, or {} when it is anything else (an error page, a list, nothing)."""
    try:
        parsed: object = response.json()
    except ValueError:
        return {}
    return {str(k): v for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _str_list(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
