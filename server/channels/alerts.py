"""The safety-stock alerts' destinations, from the channel settings: each site's group chats (a WeCom group bot, a
DingTalk custom robot; on demo credentials the local outbound log) and the site's supervisors' devices."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from assistant.alerts import Alert, AlertService, CallbackTarget, Target
from assistant.dialogue.progress import supervisors_devices
from assistant.world.schema import World
from server.channels.groups import DingtalkGroup, DingtalkRobot, WecomGroup, WecomGroupBot
from server.channels.outbox import LocalOutbox
from server.channels.settings import ChannelSettings, GroupWebhook
from server.push import DevicePush
from server.schemas.sockets import NoticeOut


class LocalGroup:
    """A demo group chat: the alert is kept in the local outbound log, as it would have been sent."""

    def __init__(self, group: GroupWebhook, local: LocalOutbox) -> None:
        self._group, self._local = group, local

    @property
    def name(self) -> str:
        return self._group.name or f"{self._group.site}-{self._group.platform}"

    def serves(self, site: str) -> bool:
        return site == self._group.site

    async def deliver(self, alert: Alert) -> None:
        await self._local.keep(self._group.platform, "group-alert", self.name,
                               {"msgtype": "markdown", "markdown": {"title": alert.title, "text": alert.markdown}})


def _group_target(group: GroupWebhook, channels: ChannelSettings, http: httpx.AsyncClient,
                  local: LocalOutbox | None) -> Target:
    if local is not None:
        return LocalGroup(group, local)
    name = group.name or f"{group.site}-{group.platform}"
    if group.platform == "wecom":
        return WecomGroupBot(WecomGroup(name=name, sites=(group.site,), webhook=group.url), http,
                             base_url=channels.wecom.api_base)
    if group.secret is None:
        raise ValueError(f"alert group {name}: a DingTalk robot needs its signing secret")
    return DingtalkRobot(DingtalkGroup(name=name, sites=(group.site,), webhook=group.url, secret=group.secret), http,
                         base_url=channels.dingtalk.oapi_base)


def device_target(world: World, push: DevicePush) -> CallbackTarget:
    """The site's supervisors' and managers' devices get the alert as a notice in their worker's language."""
    async def tell(alert: Alert) -> None:
        for device in supervisors_devices(world, alert.site):
            worker = world.worker_for_device(device)
            english = worker is not None and worker.language == "en"
            await push.push(device, NoticeOut(event="low-stock", doc_id=alert.document,
                                              text=alert.text_en if english else alert.text_zh,
                                              text_zh=alert.text_zh, text_en=alert.text_en))
    return CallbackTarget("supervisors-devices", tell)


def alert_service(engine: Engine, world: World, channels: ChannelSettings, http: httpx.AsyncClient,
                  local: LocalOutbox | None, push: DevicePush, *also: Target) -> AlertService:
    """Group chats, supervisors' devices, and `also` (the dashboards)."""
    targets = [_group_target(g, channels, http, local) for g in channels.alert_groups]
    return AlertService(engine, world, [*targets, device_target(world, push), *also])
