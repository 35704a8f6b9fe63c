"""The chat channels' settings (FRONTLINE_CHANNELS__…), one group per platform. Secrets are `SecretStr`: never
printed, never logged. Nothing set: the box makes demo credentials of its own (`server.channels.demo`)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from assistant.world.schema import ChatPlatform


class WeComSettings(BaseModel):
    corp_id: str = ""  # 企业ID
    agent_id: int | None = None  # the self-built app's AgentId
    secret: SecretStr | None = None  # the app's Secret: access token for sending and media
    token: SecretStr | None = None  # 接收消息 Token: the callback signature
    encoding_aes_key: SecretStr | None = None  # EncodingAESKey (43 characters): the callback encryption
    bot_id: str = ""  # intelligent bot (智能机器人), long connection
    bot_secret: SecretStr | None = None
    api_base: str = "https://qyapi.weixin.qq.com"
    bot_url: str = "wss://openws.work.weixin.qq.com"
    # Hosts the bot's (encrypted) images may be downloaded from: exact names, https only.
    bot_media_hosts: tuple[str, ...] = ("ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com",)

    @property
    def callback_ready(self) -> bool:
        return bool(self.corp_id and self.token and self.encoding_aes_key)

    @property
    def bot_ready(self) -> bool:
        return bool(self.bot_id and self.bot_secret)


class DingTalkSettings(BaseModel):
    app_key: str = ""  # AppKey (Client ID)
    app_secret: SecretStr | None = None  # AppSecret (Client Secret): callback signature, tokens, Stream mode
    robot_code: str = ""  # the robot's code (usually the AppKey)
    api_base: str = "https://api.dingtalk.com"
    oapi_base: str = "https://oapi.dingtalk.com"
    stream: bool = True  # Stream mode (an outbound long connection) when the app's credentials are set
    # Hosts a file's download URL may point at (DingTalk hands out storage URLs): a suffix match, never any host.
    download_hosts: tuple[str, ...] = ("*.dingtalk.com", "*.aliyuncs.com")

    @property
    def ready(self) -> bool:
        return bool(self.app_key and self.app_secret)


class GroupWebhook(BaseModel):
    """A site's group chat that gets its alerts: a WeCom group bot or a DingTalk custom robot."""

    site: str
    platform: ChatPlatform
    name: str = ""  # how logs and `frontline channels show` name it (the URL carries a key: never shown)
    url: SecretStr  # WeCom: …/cgi-bin/webhook/send?key=…; DingTalk: …/robot/send?access_token=…
    secret: SecretStr | None = None  # DingTalk's 加签 secret


class ChannelSettings(BaseModel):
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    dingtalk: DingTalkSettings = Field(default_factory=DingTalkSettings)
    alert_groups: tuple[GroupWebhook, ...] = ()
    # None: demo when no platform credentials are set (generated under var/, nothing leaves the box: what would go
    # to a platform is kept in the local outbound log). False with demo credentials is refused.
    demo: bool | None = None

    @property
    def configured(self) -> bool:
        return self.wecom.callback_ready or self.wecom.bot_ready or self.dingtalk.ready
