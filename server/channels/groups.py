"""Group-chat senders for alerts: the WeCom (企业微信) group bot and the DingTalk (钉钉) custom robot, on an injected
`httpx.AsyncClient`. Each is an alert `Target` (see `assistant.alerts.targets`).

WeCom group bot:      POST {base}/cgi-bin/webhook/send?key=KEY
                      {"msgtype": "markdown", "markdown": {"content": ...}}
DingTalk custom robot (signed): POST {base}/robot/send?access_token=TOKEN&timestamp=MS&sign=SIGN
                      {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}
                      SIGN = base64(HMAC-SHA256(secret, f"{MS}\\n{secret}")), URL-encoded (`dingtalk.sign`)
Both answer {"errcode": 0, "errmsg": "ok"}; any other errcode, an HTTP status other than 200 or no answer is a
`GroupSendError`, which the delivery loop retries later.

A group is configured with its webhook as the platform shows it (or only its key / access token). The key is the
whole credential, so it is only ever sent to the platform's configured host: a webhook on another host (or path) is
refused when the sender is built, a configuration error, and nothing is called. No error message carries a key,
token, secret or the URL holding one."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from assistant.alerts import Alert, DeliveryFailed, Target
from server.channels.dingtalk.sign import sign

WECOM_BASE = "https://qyapi.weixin.qq.com"
DINGTALK_BASE = "https://oapi.dingtalk.com"
WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
MAX_ERRMSG = 200


class GroupConfigError(ValueError):
    """A group webhook that cannot be used as configured (another host, another path, no key)."""


class GroupSendError(DeliveryFailed):
    """The platform did not take the message (HTTP failure, no answer, errcode other than 0): try again later."""


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)  # stored on delivery rows: keep it stable
    sites: tuple[str, ...] | None = None  # the sites whose alerts go to this group (None: every site)


class WecomGroup(_Group):
    webhook: SecretStr  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY, or the key alone


class DingtalkGroup(_Group):
    webhook: SecretStr  # https://oapi.dingtalk.com/robot/send?access_token=TOKEN, or the token alone
    secret: SecretStr  # the robot's signing secret (SEC...), from its security settings


def _credential(webhook: str, base_url: str, path: str, param: str, platform: str) -> str:
    """The key / access token of `webhook`, refusing a webhook that is not on the platform's configured host."""
    base = httpx.URL(base_url)
    if base.scheme not in ("http", "https") or not base.host:
        raise GroupConfigError(f"{platform}: the base URL must be http(s)://host")
    value = webhook.strip()
    if "://" not in value:
        if not value or any(c in value for c in "/?&#= "):
            raise GroupConfigError(f"{platform}: not a webhook URL or a key")
        return value
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        raise GroupConfigError(f"{platform}: the webhook is not a URL") from None
    if (url.scheme, url.host, _port(url)) != (base.scheme, base.host, _port(base)):
        raise GroupConfigError(f"{platform}: webhook host {url.host!r} is not the configured host {base.host!r}")
    expected = base.path.rstrip("/") + path
    if url.path != expected:
        raise GroupConfigError(f"{platform}: the webhook path is not {expected}")
    found = url.params.get(param)
    if not found:
        raise GroupConfigError(f"{platform}: the webhook has no {param}")
    return str(found)


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


async def _post(client: httpx.AsyncClient, platform: str, url: str, params: dict[str, str],
                body: dict[str, Any]) -> None:
    try:
        response = await client.post(url, params=params, json=body)
    except httpx.HTTPError as exc:  # its message names the URL, which holds the key: only the kind of failure
        raise GroupSendError(f"{platform}: {type(exc).__name__}") from None
    if response.status_code != httpx.codes.OK:
        raise GroupSendError(f"{platform}: HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise GroupSendError(f"{platform}: the answer is not JSON") from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = str(answer.get("errmsg", "")) if isinstance(answer, dict) else ""
        raise GroupSendError(f"{platform}: errcode {errcode}: {errmsg[:MAX_ERRMSG]}")


class WecomGroupBot:
    """A WeCom group bot: markdown to one group chat."""

    def __init__(self, group: WecomGroup, client: httpx.AsyncClient, *, base_url: str = WECOM_BASE) -> None:
        self._group = group
        self._client = client
        self._key = SecretStr(_credential(group.webhook.get_secret_value(), base_url, WECOM_PATH, "key", "wecom"))
        self._url = base_url.rstrip("/") + WECOM_PATH

    @property
    def name(self) -> str:
        return self._group.name

    def serves(self, site: str) -> bool:
        return self._group.sites is None or site in self._group.sites

    async def deliver(self, alert: Alert) -> None:
        await _post(self._client, "wecom", self._url, {"key": self._key.get_secret_value()},
                    {"msgtype": "markdown", "markdown": {"content": alert.markdown}})


class DingtalkRobot:
    """A DingTalk custom robot with signing ("加签"): markdown to one group chat."""

    def __init__(self, group: DingtalkGroup, client: httpx.AsyncClient, *, base_url: str = DINGTALK_BASE,
                 clock: Callable[[], float] = time.time) -> None:
        self._group = group
        self._client = client
        self._token = SecretStr(_credential(group.webhook.get_secret_value(), base_url, DINGTALK_PATH,
                                            "access_token", "dingtalk"))
        if not group.secret.get_secret_value():
            raise GroupConfigError("dingtalk: the robot's signing secret is empty")
        self._url = base_url.rstrip("/") + DINGTALK_PATH
        self._clock = clock

    @property
    def name(self) -> str:
        return self._group.name

    def serves(self, site: str) -> bool:
        return self._group.sites is None or site in self._group.sites

    async def deliver(self, alert: Alert) -> None:
        timestamp = str(int(self._clock() * 1000))
        params = {"access_token": self._token.get_secret_value(), "timestamp": timestamp,
                  "sign": sign(timestamp, self._group.secret.get_secret_value())}  # httpx URL-encodes it
        await _post(self._client, "dingtalk", self._url, params,
                    {"msgtype": "markdown", "markdown": {"title": alert.title, "text": alert.markdown}})


def group_targets(client: httpx.AsyncClient, *, wecom: Sequence[WecomGroup] = (),
                  dingtalk: Sequence[DingtalkGroup] = (), wecom_base: str = WECOM_BASE,
                  dingtalk_base: str = DINGTALK_BASE) -> list[Target]:
    """The senders for the configured groups (raises `GroupConfigError` for a webhook that may not be used)."""
    targets: list[Target] = [WecomGroupBot(group, client, base_url=wecom_base) for group in wecom]
    targets += [DingtalkRobot(group, client, base_url=dingtalk_base) for group in dingtalk]
    return targets
