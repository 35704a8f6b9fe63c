"""`frontline channels show`: what a person needs to connect each platform to this box. The callback credentials
are shown (the person pastes them into the platform's console); app secrets and webhook URLs never are."""

from __future__ import annotations

from pathlib import Path

from pydantic import JsonValue, SecretStr

from server.channels.demo import effective_channels
from server.channels.settings import ChannelSettings

WECOM_CALLBACK_PATH = "/channels/wecom/callback"
DINGTALK_CALLBACK_PATH = "/channels/dingtalk/callback"


def _shown(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _set(value: SecretStr | None) -> bool:
    return value is not None


def describe_channels(configured: ChannelSettings, var_dir: Path, sites: tuple[str, ...]) -> dict[str, JsonValue]:
    channels = effective_channels(configured, var_dir, sites)
    wecom, dingtalk = channels.wecom, channels.dingtalk
    return {
        "demo": bool(channels.demo),
        "wecom": {"callback_path": WECOM_CALLBACK_PATH, "corp_id": wecom.corp_id, "token": _shown(wecom.token),
                  "encoding_aes_key": _shown(wecom.encoding_aes_key), "agent_id": wecom.agent_id,
                  "secret_set": _set(wecom.secret), "bot_id": wecom.bot_id or None,
                  "long_connection": wecom.bot_ready and not channels.demo},
        "dingtalk": {"callback_path": DINGTALK_CALLBACK_PATH, "app_key": dingtalk.app_key,
                     "app_secret": _shown(dingtalk.app_secret) if channels.demo else None,
                     "app_secret_set": _set(dingtalk.app_secret), "robot_code": dingtalk.robot_code,
                     "stream": dingtalk.stream and dingtalk.ready and not channels.demo},
        "alert_groups": [{"site": g.site, "platform": g.platform, "name": g.name or f"{g.site}-{g.platform}"}
                         for g in channels.alert_groups],
    }
