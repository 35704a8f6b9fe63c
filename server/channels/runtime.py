"""The running channels, built once in the app's lifespan from the settings: the turn runner, each platform's
client and sender (or the local outbox on demo credentials), and the background work a slow turn or a long
connection needs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from pydantic import BaseModel

from assistant.alerts import AlertService
from assistant.catalogue import lang_of, say
from assistant.journal.channels import ChatInbox, OutboundLog
from assistant.world.schema import ChatPlatform
from server.channels.alerts import alert_service
from server.channels.demo import effective_channels
from server.channels.dingtalk.adapter import DingTalkSender
from server.channels.dingtalk.adapter import chat_message as dingtalk_chat_message
from server.channels.dingtalk.api import DingTalkApi
from server.channels.dingtalk.callback import CallbackVerifier
from server.channels.dingtalk.messages import RobotMessage
from server.channels.dingtalk.stream import StreamClient
from server.channels.messages import ChatMessage, ChatReply
from server.channels.outbox import LocalOutbox
from server.channels.settings import ChannelSettings
from server.channels.turns import ChatTurns, chat_device_contact, chat_device_owner
from server.channels.wecom.adapter import WeComSender
from server.channels.wecom.api import WeComApi
from server.channels.wecom.bot_adapter import bot_handler
from server.channels.wecom.bot_client import WeComBotClient
from server.channels.wecom.bot_media import MediaFetcher
from server.channels.wecom.crypto import WeComCrypto
from server.push import Relay
from server.schemas.sockets import NoticeOut
from server.services import Services
from server.settings import Settings

log = structlog.get_logger(__name__)
PLATFORM_TIMEOUT_S = 10.0


@dataclass
class WeComChannel:
    corp_id: str
    crypto: WeComCrypto
    api: WeComApi | None  # None: demo credentials (no platform to fetch media from)
    sender: WeComSender


@dataclass
class DingTalkChannel:
    verifier: CallbackVerifier
    api: DingTalkApi | None  # None: demo credentials
    sender: DingTalkSender


class ChannelRuntime:
    def __init__(self, settings: ChannelSettings, turns: ChatTurns, http: httpx.AsyncClient,
                 local: LocalOutbox | None) -> None:
        self.settings = settings
        self.turns = turns
        self.http = http
        self.local = local  # demo: every platform-bound message is kept here instead
        self.wecom: WeComChannel | None = None
        self.wecom_bot: WeComBotClient | None = None
        self.dingtalk: DingTalkChannel | None = None
        self.dingtalk_stream: StreamClient | None = None
        self.alerts: AlertService | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections: set[asyncio.Task[None]] = set()  # the long connections, until shutdown

    @property
    def demo(self) -> bool:
        return self.local is not None

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run `work` after the platform was answered; kept so shutdown waits for it and nothing is lost silently."""
        task = asyncio.create_task(self._logged(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("chat-background-failed", task=name)

    async def answer_later(self, message: ChatMessage, send: Any) -> None:
        """A slow turn (voice, photo): the platform was acknowledged; the reply goes through its send API."""
        reply: ChatReply | None = await self.turns.handle(message)
        if reply is not None:
            await send(message.user_id, reply)

    async def answer_dingtalk(self, message: RobotMessage, chat: ChatMessage) -> None:
        assert self.dingtalk is not None
        reply = await self.turns.handle(chat)
        if reply is not None:
            await self.dingtalk.sender.answer(message, reply)

    async def on_stream_message(self, message: RobotMessage) -> None:
        """Stream mode: take the message and answer after the frame is acknowledged (a turn may take seconds)."""
        assert self.dingtalk is not None
        chat = dingtalk_chat_message(message, self.dingtalk.api)
        self.spawn(self.answer_dingtalk(message, chat), name=f"dingtalk-{chat.message_id}")

    async def tell(self, platform: ChatPlatform, user: str, reply: ChatReply) -> None:
        """A message the person did not ask for (news), by the platform's send API or long connection."""
        if platform == "wecom":
            if self.wecom is not None:
                await self.wecom.sender.send(user, reply)
            elif self.wecom_bot is not None:
                await self.wecom_bot.send(user, reply.markdown)
        elif self.dingtalk is not None:
            await self.dingtalk.sender.tell(user, reply)

    async def send_file(self, platform: ChatPlatform, user: str, data: bytes, filename: str,
                        content_type: str = "application/pdf") -> bool:
        """A file to the person (a signed contract) where the platform takes files: the WeCom app, the DingTalk
        robot. False where it cannot go as a file (the WeCom intelligent bot sends words only)."""
        if platform == "wecom" and self.wecom is not None:
            await self.wecom.sender.send_file(user, data, filename, content_type)
            return True
        if platform == "dingtalk" and self.dingtalk is not None:
            await self.dingtalk.sender.send_file(user, data, filename)
            return True
        return False

    def start_long_connection(self, name: str, run: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._logged(run, name), name=name)
        self._connections.add(task)

    async def aclose(self, grace_s: float = 30.0) -> None:
        if self.alerts is not None:
            await self.alerts.stop()
        if self.wecom_bot is not None:
            await self.wecom_bot.stop()
        if self.dingtalk_stream is not None:
            await self.dingtalk_stream.stop()
        for task in self._connections:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self.http.aclose()


def _news_relay(runtime: ChannelRuntime, platform: ChatPlatform, services: Services) -> Relay:
    """News for a worker's chat conversation (an approval decided, the AGV of a transfer asked for in the chat, a
    sale's signed contract) goes to the worker in that platform, as a message (the contract as a file, too)."""
    async def relay(device: str, message: BaseModel) -> None:
        worker = chat_device_owner(services.world, device)
        text = getattr(message, "text", None)
        # A worker's conversation, or a customer's contact's (their order decided by a manager, its contract).
        user = worker.chat_user(platform) if worker is not None else None
        if worker is None and device.startswith(f"{platform}-"):
            user = chat_device_contact(services.world, device)
        if user is None or not isinstance(text, str) or not text:
            return
        lang = lang_of(worker.language if worker is not None else None)
        reply = ChatReply(title=say("card-default", lang), text=text, markdown=text, language=lang)
        try:
            if isinstance(message, NoticeOut) and message.event == "contract-signed" and message.doc_id:
                await _send_contract(runtime, services, platform, user, message.doc_id)
            await runtime.tell(platform, user, reply)
        except Exception as error:  # logged, not raised: one platform down must not stop the others' news
            log.warning("chat-news-failed", platform=platform, device=device, error=type(error).__name__)
    return relay


async def _send_contract(runtime: ChannelRuntime, services: Services, platform: ChatPlatform, user: str,
                         document_id: str) -> None:
    contract = await services.contracts.signed_pdf(document_id) if services.contracts is not None else None
    if contract is None:
        return
    sent = await runtime.send_file(platform, user, contract.pdf, contract.filename)
    log.info("chat-contract-sent" if sent else "chat-contract-not-a-file", platform=platform,
             document=document_id, number=contract.number)


async def start_channels(settings: Settings, services: Services) -> ChannelRuntime:
    sites = tuple(s.code for s in services.world.sites)
    channels = effective_channels(settings.channels, settings.var_dir, sites)
    local = LocalOutbox(OutboundLog(services.engine)) if channels.demo else None
    http = httpx.AsyncClient(timeout=PLATFORM_TIMEOUT_S, follow_redirects=False)
    runtime = ChannelRuntime(channels, ChatTurns(services, ChatInbox(services.engine)), http, local)
    wecom = channels.wecom
    if wecom.callback_ready and wecom.token and wecom.encoding_aes_key:
        api = None
        if not channels.demo and wecom.secret is not None and wecom.agent_id is not None:
            api = WeComApi(http, wecom.corp_id, wecom.secret.get_secret_value(), wecom.agent_id,
                           base_url=wecom.api_base)
        runtime.wecom = WeComChannel(
            corp_id=wecom.corp_id,
            crypto=WeComCrypto(wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(),
                               wecom.corp_id),
            api=api, sender=WeComSender(api, local))
    if wecom.bot_ready and wecom.bot_secret is not None and not channels.demo:
        handler = bot_handler(runtime.turns, MediaFetcher(http, allowed_hosts=wecom.bot_media_hosts))
        runtime.wecom_bot = WeComBotClient(wecom.bot_url, wecom.bot_id, wecom.bot_secret.get_secret_value(), handler)
        runtime.start_long_connection("wecom-bot", runtime.wecom_bot.run())
    dingtalk = channels.dingtalk
    if dingtalk.ready and dingtalk.app_secret is not None:
        secret = dingtalk.app_secret.get_secret_value()
        dt_api = None if channels.demo else DingTalkApi(
            http, app_key=dingtalk.app_key, app_secret=secret, robot_code=dingtalk.robot_code or None,
            download_hosts=dingtalk.download_hosts, api_base=dingtalk.api_base, oapi_base=dingtalk.oapi_base)
        runtime.dingtalk = DingTalkChannel(CallbackVerifier(secret), dt_api, DingTalkSender(dt_api, local))
        if dingtalk.stream and not channels.demo:
            runtime.dingtalk_stream = StreamClient(http, client_id=dingtalk.app_key, client_secret=secret,
                                                   handler=runtime.on_stream_message, api_base=dingtalk.api_base)
            runtime.start_long_connection("dingtalk-stream", runtime.dingtalk_stream.run())
    for platform in ("wecom", "dingtalk"):
        services.push.relay(f"{platform}-", _news_relay(runtime, platform, services))
    runtime.alerts = alert_service(services.engine, services.world, channels, http, local, services.push,
                                   services.dashboard.alert_target())
    await runtime.alerts.start()
    services.wakeups.add(runtime.alerts.poke)  # a confirmation that crossed a minimum is told at once
    log.info("channels-ready", demo=bool(channels.demo), wecom_callback=runtime.wecom is not None,
             wecom_bot=runtime.wecom_bot is not None, dingtalk_callback=runtime.dingtalk is not None,
             dingtalk_stream=runtime.dingtalk_stream is not None)
    return runtime
