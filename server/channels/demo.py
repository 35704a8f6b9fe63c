"""Demo credentials: with no platform configured, the box makes its own (kept under var/, mode 600, like the device
secret) so the callbacks can be tried at once; in demo mode nothing leaves the box."""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

from pydantic import SecretStr

from server.channels.settings import ChannelSettings, DingTalkSettings, GroupWebhook, WeComSettings

DEMO_FILE = "channels-demo.json"
_AES_ALPHABET = string.ascii_letters + string.digits


def _generate() -> dict[str, str]:
    return {
        "wecom_corp_id": f"wwdemo{secrets.token_hex(5)}",
        "wecom_secret": secrets.token_urlsafe(32),
        "wecom_token": secrets.token_urlsafe(16),
        "wecom_encoding_aes_key": "".join(secrets.choice(_AES_ALPHABET) for _ in range(43)),
        "wecom_bot_secret": secrets.token_urlsafe(32),
        "dingtalk_app_key": f"dingdemo{secrets.token_hex(6)}",
        "dingtalk_app_secret": secrets.token_urlsafe(48),
        "group_key": secrets.token_hex(16),
    }


def _load(var_dir: Path) -> dict[str, str]:
    path = var_dir / DEMO_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_generate(), indent=2))
        path.chmod(0o600)
    values: dict[str, str] = json.loads(path.read_text())
    return values


def effective_channels(channels: ChannelSettings, var_dir: Path, sites: tuple[str, ...]) -> ChannelSettings:
    """The settings in force: as configured, or — nothing configured — demo credentials for both platforms and one
    demo group chat per site (whose alerts go to the local log)."""
    demo = channels.demo if channels.demo is not None else not channels.configured
    if not demo:
        return channels
    if channels.configured:
        raise ValueError("channels.demo is set but platform credentials are configured: remove one")
    v = _load(var_dir)
    return channels.model_copy(update={
        "demo": True,
        "wecom": WeComSettings(corp_id=v["wecom_corp_id"], agent_id=1000002, secret=SecretStr(v["wecom_secret"]),
                               token=SecretStr(v["wecom_token"]),
                               encoding_aes_key=SecretStr(v["wecom_encoding_aes_key"]),
                               bot_id="demo-bot", bot_secret=SecretStr(v["wecom_bot_secret"])),
        "dingtalk": DingTalkSettings(app_key=v["dingtalk_app_key"], app_secret=SecretStr(v["dingtalk_app_secret"]),
                                     robot_code=v["dingtalk_app_key"]),
        "alert_groups": channels.alert_groups or tuple(
            GroupWebhook(site=site, platform="wecom", name=f"{site}-demo-group",
                         url=SecretStr(f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={v['group_key']}"))
            for site in sites),
    })
