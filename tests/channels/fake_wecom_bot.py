"""A fake WeCom intelligent-bot platform: the server end of the long connection, on 127.0.0.1 (port 0).

    async with FakeWeComBotPlatform(bot_id="bot-1", secret="s3cret") as platform:
        client = WeComBotClient(platform.url, "bot-1", "s3cret", handler)
        ...
        await platform.wait_subscribed()
        req_id = await platform.push_text("还剩多少 M8 螺栓？", user="zhangsan")
        [reply] = await platform.wait_replies(req_id, finished=True)

It checks the subscribe credentials (a wrong pair gets errcode AUTH_ERRCODE, then the socket is closed), answers
pings and every request with {"headers": {"req_id"}, "errcode", "errmsg"}, records what the bot sent (subscribes,
pings, replies, pushes), and lets a test push message/event/raw frames, drop the connection, refuse the next N
handshakes, stop answering pings, reject the next requests, or send disconnected_event. Frames are built and read
with bot_frames, so a correction to the wire format reaches the fake too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from server.channels.wecom.bot_errors import FrameError
from server.channels.wecom.bot_frames import (
    ERRCODE_NOT_SUBSCRIBED,
    EVENT_DISCONNECTED,
    EVENT_ENTER_CHAT,
    EVENT_TEMPLATE_CARD,
    Ack,
    BotEvent,
    BotMessage,
    CardClick,
    ChatType,
    EventCallback,
    Media,
    MessageCallback,
    MsgType,
    Outbound,
    Part,
    Ping,
    Respond,
    RespondUpdateCard,
    RespondWelcome,
    SendMessage,
    StreamReply,
    Subscribe,
    new_req_id,
    parse_outbound,
)

# Made up for the fake: the real errcode for a wrong bot id / secret is not documented where we could read it.
AUTH_ERRCODE = 40001

Reply = Respond | RespondWelcome | RespondUpdateCard


class FakeWeComBotPlatform:
    def __init__(self, *, bot_id: str = "fake-bot", secret: str = "fake-secret", refuse_first: int = 0,
                 answer_pings: bool = True) -> None:
        self.bot_id, self.secret = bot_id, secret
        self.answer_pings = answer_pings
        self._refuse = refuse_first
        self._reject: list[int] = []
        self._server: Server | None = None
        self._current: ServerConnection | None = None
        self._msg_seq = 0
        # What the bot did, in order.
        self.handshakes = 0  # WebSocket connections accepted
        self.refused = 0  # handshakes refused with HTTP 503
        self.subscribed = 0  # subscribes accepted
        self.frames: list[Outbound] = []
        self.subscribes: list[Subscribe] = []
        self.pings: list[Ping] = []
        self.replies: list[Reply] = []
        self.pushes: list[SendMessage] = []
        self.malformed: list[str] = []

    # ---- lifecycle ----

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}"

    async def start(self) -> FakeWeComBotPlatform:
        self._server = await serve(self._serve, "127.0.0.1", 0, process_request=self._process_request,
                                   ping_interval=None)
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeWeComBotPlatform:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    # ---- controls ----

    @property
    def connected(self) -> bool:
        """A bot is connected and subscribed."""
        return self._current is not None

    def refuse_next(self, count: int) -> None:
        """Refuse the next `count` WebSocket handshakes (HTTP 503)."""
        self._refuse += count

    def reject_next(self, errcode: int, count: int = 1) -> None:
        """Answer the next `count` replies/pushes with this errcode instead of 0."""
        self._reject.extend([errcode] * count)

    async def push_message(self, message: BotMessage, req_id: str | None = None) -> str:
        """Send an aibot_msg_callback to the subscribed bot; returns its req_id (the one replies must carry)."""
        req_id = req_id or new_req_id("callback")
        await self.push_raw(MessageCallback(req_id, message).to_json())
        return req_id

    async def push_text(self, content: str, *, user: str = "zhangsan", chat_id: str | None = None,
                        msg_id: str | None = None) -> str:
        return await self.push_message(self.message("text", (Part("text", content),), user=user, chat_id=chat_id,
                                                     msg_id=msg_id))

    async def push_event(self, event: BotEvent, req_id: str | None = None) -> str:
        req_id = req_id or new_req_id("callback")
        await self.push_raw(EventCallback(req_id, event).to_json())
        return req_id

    async def push_enter_chat(self, *, user: str = "zhangsan") -> str:
        return await self.push_event(BotEvent(self._next_msg_id(), EVENT_ENTER_CHAT, user, bot_id=self.bot_id))

    async def push_card_click(self, event_key: str, task_id: str, *, user: str = "zhangsan",
                              chat_id: str | None = None) -> str:
        click = CardClick("button_interaction", event_key, task_id)
        return await self.push_event(BotEvent(self._next_msg_id(), EVENT_TEMPLATE_CARD, user, bot_id=self.bot_id,
                                              chat_type="group" if chat_id else "single", chat_id=chat_id,
                                              card=click))

    async def supersede(self) -> None:
        """disconnected_event, as when a newer connection takes the bot over; the fake then closes the socket."""
        ws = self._require_current()
        await self.push_event(BotEvent(self._next_msg_id(), EVENT_DISCONNECTED, "", bot_id=self.bot_id))
        await asyncio.sleep(0.05)
        await ws.close()

    async def push_raw(self, text: str) -> None:
        await self._require_current().send(text)

    async def drop(self) -> None:
        """Cut the subscribed connection without a closing handshake, like a network failure."""
        ws = self._require_current()
        self._current = None
        ws.transport.abort()

    def message(self, msgtype: MsgType, parts: tuple[Part, ...], *, user: str = "zhangsan",
                chat_id: str | None = None, msg_id: str | None = None) -> BotMessage:
        chat_type: ChatType = "group" if chat_id else "single"
        return BotMessage(msg_id or self._next_msg_id(), self.bot_id, chat_type, chat_id, user, msgtype, parts,
                          raw_msgtype=msgtype, create_time=int(time.time()))

    @staticmethod
    def image(url: str, aes_key: str) -> Part:
        return Part("image", media=Media(url, aes_key))

    # ---- waiting ----

    async def wait_until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the fake WeCom platform waited in vain")
            await asyncio.sleep(0.01)

    async def wait_subscribed(self, count: int = 1, timeout_s: float = 5.0) -> None:
        await self.wait_until(lambda: self.subscribed >= count and self.connected, timeout_s)

    def replies_to(self, req_id: str) -> list[Reply]:
        return [r for r in self.replies if r.req_id == req_id]

    async def wait_replies(self, req_id: str, *, count: int = 1, finished: bool = False,
                           timeout_s: float = 5.0) -> list[Reply]:
        """The replies to one callback, once there are `count` (or, with finished, once a stream has finished)."""
        def ready() -> bool:
            replies = self.replies_to(req_id)
            if finished:
                return any(isinstance(r, Respond) and isinstance(r.body, StreamReply) and r.body.finish
                           for r in replies)
            return len(replies) >= count

        await self.wait_until(ready, timeout_s)
        return self.replies_to(req_id)

    async def wait_pushes(self, count: int = 1, timeout_s: float = 5.0) -> list[SendMessage]:
        await self.wait_until(lambda: len(self.pushes) >= count, timeout_s)
        return list(self.pushes)

    # ---- the server ----

    def _next_msg_id(self) -> str:
        self._msg_seq += 1
        return f"fake-msg-{self._msg_seq}"

    def _require_current(self) -> ServerConnection:
        if self._current is None:
            raise RuntimeError("no bot is subscribed to the fake WeCom platform")
        return self._current

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if self._refuse > 0:
            self._refuse -= 1
            self.refused += 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "refused by the fake\n")
        return None

    async def _answer(self, ws: ServerConnection, req_id: str, errcode: int = 0) -> None:
        await ws.send(Ack(req_id, errcode, "ok" if errcode == 0 else "refused by the fake").to_json())

    async def _serve(self, ws: ServerConnection) -> None:
        self.handshakes += 1
        subscribed = False
        try:
            async for raw in ws:
                text = raw if isinstance(raw, str) else raw.decode()
                try:
                    frame = parse_outbound(text)
                except FrameError:
                    self.malformed.append(text)
                    continue
                self.frames.append(frame)
                if isinstance(frame, Subscribe):
                    self.subscribes.append(frame)
                    if frame.bot_id == self.bot_id and frame.secret == self.secret:
                        await self._answer(ws, frame.req_id)
                        subscribed = True
                        self.subscribed += 1
                        self._current = ws
                    else:
                        await self._answer(ws, frame.req_id, AUTH_ERRCODE)
                        await ws.close()
                        return
                elif not subscribed:
                    await self._answer(ws, frame.req_id, ERRCODE_NOT_SUBSCRIBED)
                elif isinstance(frame, Ping):
                    self.pings.append(frame)
                    if self.answer_pings:
                        await self._answer(ws, frame.req_id)
                else:
                    if isinstance(frame, SendMessage):
                        self.pushes.append(frame)
                    else:
                        self.replies.append(frame)
                    await self._answer(ws, frame.req_id, self._reject.pop(0) if self._reject else 0)
        except ConnectionClosed:
            pass
        finally:
            if self._current is ws:
                self._current = None
