"""The WeCom intelligent-bot long connection, client side: connect out, subscribe, keep the heartbeat, hand every
message and event to one async handler together with a `Reply` for it, push proactively, and reconnect forever with
capped exponential backoff and jitter. Pure protocol: it knows nothing about the assistant.

Frame shapes and their sources are in bot_frames. What this module decides where the platform docs are silent:
- A refused subscribe is retried with the same backoff as a dropped connection (never a tight loop); after
  `max_auth_failures` refusals in a row (None: never) run() gives up with WeComBotError(AUTH_FAILED).
- disconnected_event (another connection took the bot over): WeCom's SDK stops for good; an unattended plant box
  would then stay deaf, so this client waits `superseded_retry_s` (default 5 min, long enough for two rival boxes
  not to thrash) and reconnects, or gives up with WeComBotError(SUPERSEDED) when it is None.
- Whether a req_id can be answered on a later connection is unknown, so `Reply.markdown` pushes the answer with
  aibot_send_msg when the connection changed or the platform's 6-minute stream window is (nearly) over.
- errcode 846609 (not subscribed) on any answer closes the socket so that the next connection subscribes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from server.channels.wecom.bot_errors import (
    ACK_TIMEOUT,
    ALREADY_RUNNING,
    AUTH_FAILED,
    CONNECT_FAILED,
    CONNECTION_LOST,
    NOT_CONNECTED,
    REJECTED,
    SUBSCRIBE_TIMEOUT,
    SUPERSEDED,
    FrameError,
    WeComBotError,
)
from server.channels.wecom.bot_frames import (
    CMD_PING,
    CMD_SEND,
    CMD_SUBSCRIBE,
    ERRCODE_NOT_SUBSCRIBED,
    EVENT_DISCONNECTED,
    STREAM_WINDOW_S,
    Ack,
    BotEvent,
    BotMessage,
    CardBody,
    EventCallback,
    MarkdownBody,
    MessageCallback,
    Ping,
    ReplyImage,
    Respond,
    RespondUpdateCard,
    RespondWelcome,
    SendMessage,
    StreamReply,
    Subscribe,
    TemplateCard,
    TextBody,
    new_req_id,
    parse_inbound,
)

log = structlog.get_logger(__name__)

Handler = Callable[[BotMessage | BotEvent, "Reply"], Awaitable[None]]
State = Literal["idle", "connecting", "subscribed", "waiting", "stopped"]

STREAM_MARGIN_S = 20.0  # answer by push rather than race the platform's 6-minute stream deadline
_SEEN_MAX = 1024  # msgids remembered for de-duplication (the platform may deliver a callback twice)
_MAX_FRAME_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class BotStatus:
    state: State
    subscriptions: int  # successful subscribes since the client was made: 1 is the first connection, more reconnects
    last_error: str | None = None  # WeComBotError code of the latest failure (kept after recovering: see `state`)
    last_errcode: int | None = None  # the platform's errcode with it, if any


class Reply:
    """Answers the one callback frame it came with (its req_id), now or minutes later.

    A message is answered by stream updates (`stream`, the last with finish=True) or at once by `markdown`; an
    enter_chat event by `welcome` (within 5 s); a card click by `update_card` (within 5 s); anything, any time, by
    `push` to the same conversation."""

    def __init__(self, client: WeComBotClient, req_id: str, conversation_id: str, generation: int) -> None:
        self._client, self._req_id, self._conversation_id = client, req_id, conversation_id
        self._generation = generation
        self._received_at = time.monotonic()
        self.stream_id = new_req_id("stream")  # one stream per reply: every update refreshes the same bubble

    @property
    def req_id(self) -> str:
        return self._req_id

    @property
    def conversation_id(self) -> str:
        return self._conversation_id

    @property
    def window_open(self) -> bool:
        """Whether a stream update can still land: same connection, and inside the platform's 6 minutes."""
        return (self._generation == self._client.generation
                and time.monotonic() < self._received_at + STREAM_WINDOW_S - STREAM_MARGIN_S)

    async def stream(self, content: str, *, finish: bool = False, images: tuple[ReplyImage, ...] = (),
                     feedback_id: str | None = None, card: TemplateCard | None = None) -> None:
        """One stream update; `content` is the whole answer so far (markdown), not a delta."""
        body = StreamReply(self.stream_id, content, finish, feedback_id, images, card)
        await self._client._request(self._req_id, Respond(self._req_id, body).to_json(), self._generation)

    async def markdown(self, content: str) -> None:
        """The final answer: the stream's last update while the window is open, else a proactive push."""
        if self.window_open:
            try:
                await self.stream(content, finish=True)
                return
            except WeComBotError as exc:
                if exc.code not in (CONNECTION_LOST, NOT_CONNECTED, REJECTED):  # not shown: safe to push
                    raise
                reason = exc.code
        else:
            reason = "window_closed"
        log.info("wecom_bot.reply_pushed_instead", reason=reason)
        await self.push(content)

    async def card(self, card: TemplateCard) -> None:
        await self._client._request(self._req_id, Respond(self._req_id, CardBody(card)).to_json(), self._generation)

    async def welcome(self, body: str | TemplateCard) -> None:
        content = TextBody(body) if isinstance(body, str) else CardBody(body)
        await self._client._request(self._req_id, RespondWelcome(self._req_id, content).to_json(), self._generation)

    async def update_card(self, card: TemplateCard, userids: tuple[str, ...] = ()) -> None:
        frame = RespondUpdateCard(self._req_id, card, userids)
        await self._client._request(self._req_id, frame.to_json(), self._generation)

    async def push(self, body: str | TemplateCard) -> None:
        await self._client.send(self._conversation_id, body)


@dataclass
class _KeyedLock:
    lock: asyncio.Lock
    users: int = 0


class WeComBotClient:
    def __init__(self, url: str, bot_id: str, secret: str, handler: Handler, *, heartbeat_s: float = 30.0,
                 max_missed_pings: int = 2, backoff_base_s: float = 1.0, backoff_max_s: float = 60.0,
                 open_timeout_s: float = 15.0, subscribe_timeout_s: float = 10.0, ack_timeout_s: float = 10.0,
                 superseded_retry_s: float | None = 300.0, max_auth_failures: int | None = None,
                 rng: random.Random | None = None) -> None:
        self._url, self._bot_id, self._secret, self._handler = url, bot_id, secret, handler
        self._heartbeat_s, self._max_missed_pings = heartbeat_s, max_missed_pings
        self._backoff_base_s, self._backoff_max_s = backoff_base_s, backoff_max_s
        self._open_timeout_s, self._subscribe_timeout_s = open_timeout_s, subscribe_timeout_s
        self._ack_timeout_s = ack_timeout_s
        self._superseded_retry_s, self._max_auth_failures = superseded_retry_s, max_auth_failures
        self._rng = rng or random.Random()

        self._ws: ClientConnection | None = None
        self._subscribed = asyncio.Event()
        self._stop = asyncio.Event()
        self._running = False
        self._state: State = "idle"
        self._generation = 0
        self._subscribed_at = 0.0
        self._superseded = False
        self._last_error: str | None = None
        self._last_errcode: int | None = None
        self._pending: dict[str, asyncio.Future[Ack]] = {}
        self._locks: dict[str, _KeyedLock] = {}
        self._ping_ids: set[str] = set()
        self._unacked_pings = 0
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:  # the secret stays out of every repr and log line
        return f"WeComBotClient(url={self._url!r}, bot_id={self._bot_id!r}, state={self._state!r})"

    # ---- public ----

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def status(self) -> BotStatus:
        return BotStatus(self._state, self._generation, self._last_error, self._last_errcode)

    async def wait_subscribed(self, timeout_s: float) -> None:
        await asyncio.wait_for(self._subscribed.wait(), timeout_s)

    async def send(self, conversation_id: str, body: str | TemplateCard) -> None:
        """Proactive push (aibot_send_msg): markdown text or a template card, to a user id or a group chatid."""
        frame = SendMessage(new_req_id(CMD_SEND), conversation_id,
                            MarkdownBody(body) if isinstance(body, str) else CardBody(body))
        await self._request(frame.req_id, frame.to_json())

    async def run(self) -> None:
        """Connect and stay connected until stop() or cancellation. Raises WeComBotError only when told to give up
        (max_auth_failures, or superseded with superseded_retry_s=None)."""
        if self._running:
            raise WeComBotError(ALREADY_RUNNING)
        self._running = True
        self._stop.clear()
        failures = auth_failures = 0
        try:
            while not self._stop.is_set():
                generation = self._generation
                self._superseded = False
                error: WeComBotError | None = None
                try:
                    await self._session()
                except WeComBotError as exc:
                    error = exc
                if self._stop.is_set():
                    break
                # Count the backoff afresh only after a connection that subscribed and held for a while, so that a
                # server accepting and dropping at once cannot make us reconnect every second forever.
                if self._generation != generation:
                    auth_failures = 0
                    if time.monotonic() - self._subscribed_at >= self._heartbeat_s:
                        failures = 0
                if error is None and not self._superseded:
                    self._last_error, self._last_errcode = CONNECTION_LOST, None  # it was up, then went down
                if error is not None:
                    self._last_error, self._last_errcode = error.code, error.errcode
                    log.warning("wecom_bot.connection_failed", code=error.code, errcode=error.errcode,
                                detail=error.detail)
                    if error.code == AUTH_FAILED:
                        auth_failures += 1
                        if self._max_auth_failures is not None and auth_failures >= self._max_auth_failures:
                            raise error
                if self._superseded:
                    self._last_error, self._last_errcode = SUPERSEDED, None
                    if self._superseded_retry_s is None:
                        raise WeComBotError(SUPERSEDED)
                    delay = self._superseded_retry_s
                else:
                    failures += 1
                    delay = self._backoff(failures)
                self._state = "waiting"
                log.info("wecom_bot.reconnect_scheduled", delay_s=round(delay, 3), attempt=failures)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
        finally:
            self._running = False
            self._state = "stopped"
            await self._cancel_handlers()

    async def stop(self) -> None:
        """End run(): close the connection and cancel handlers still running."""
        self._stop.set()
        ws = self._ws
        if ws is not None:
            await ws.close()
        await self._cancel_handlers()

    # ---- one connection ----

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._backoff_max_s, self._backoff_base_s * 2.0 ** min(attempt - 1, 30))
        return ceiling * self._rng.uniform(0.5, 1.0)  # jitter, with a floor: never a tight loop

    async def _session(self) -> None:
        self._state = "connecting"
        log.info("wecom_bot.connecting", url=self._url)
        try:
            ws = await connect(self._url, open_timeout=self._open_timeout_s, ping_interval=None, close_timeout=2.0,
                               max_size=_MAX_FRAME_BYTES)
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise WeComBotError(CONNECT_FAILED, detail=type(exc).__name__) from None
        self._ws = ws
        if self._stop.is_set():  # stop() came while we were connecting and found no socket to close
            await ws.close()
            return
        self._ping_ids.clear()
        self._unacked_pings = 0
        reader = asyncio.create_task(self._read(ws), name="wecom-bot-reader")
        heartbeat: asyncio.Task[None] | None = None
        try:
            await self._subscribe(ws)
            self._generation += 1
            self._subscribed_at = time.monotonic()
            self._subscribed.set()
            self._state = "subscribed"
            log.info("wecom_bot.subscribed", bot_id=self._bot_id, subscriptions=self._generation)
            heartbeat = asyncio.create_task(self._heartbeat(ws), name="wecom-bot-heartbeat")
            await reader
            log.warning("wecom_bot.disconnected", close_code=ws.close_code)
        finally:
            self._subscribed.clear()
            self._ws = None
            for task in (heartbeat, reader):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await ws.close()
            self._fail_pending()

    async def _subscribe(self, ws: ClientConnection) -> None:
        frame = Subscribe(new_req_id(CMD_SUBSCRIBE), self._bot_id, self._secret)
        future = self._expect_ack(frame.req_id)
        try:
            await ws.send(frame.to_json())
            ack = await asyncio.wait_for(future, self._subscribe_timeout_s)
        except TimeoutError:
            raise WeComBotError(SUBSCRIBE_TIMEOUT) from None
        except ConnectionClosed:
            raise WeComBotError(CONNECTION_LOST) from None
        finally:
            self._pending.pop(frame.req_id, None)
        if not ack.ok:
            raise WeComBotError(AUTH_FAILED, errcode=ack.errcode, detail=ack.errmsg[:200])

    async def _heartbeat(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            if self._unacked_pings >= self._max_missed_pings:
                log.warning("wecom_bot.heartbeat_lost", unanswered=self._unacked_pings)
                await ws.close(code=1001, reason="heartbeat lost")
                return
            ping = Ping(new_req_id(CMD_PING))
            self._ping_ids.add(ping.req_id)
            self._unacked_pings += 1
            try:
                await ws.send(ping.to_json())
            except ConnectionClosed:
                return

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                try:
                    frame = parse_inbound(raw)
                except FrameError as exc:
                    log.warning("wecom_bot.frame_dropped", reason=exc.detail, size=len(raw))
                    continue
                if isinstance(frame, Ack):
                    self._on_ack(ws, frame)
                elif isinstance(frame, EventCallback) and frame.event.event_type == EVENT_DISCONNECTED:
                    log.warning("wecom_bot.superseded")
                    self._superseded = True
                    await ws.close(code=1000, reason="superseded")
                    return
                else:
                    self._dispatch(frame)
        except ConnectionClosed:
            pass
        finally:
            self._fail_pending()  # nobody answers on a closed socket: fail waiters now, not at their timeout

    def _on_ack(self, ws: ClientConnection, ack: Ack) -> None:
        if ack.errcode == ERRCODE_NOT_SUBSCRIBED:
            log.warning("wecom_bot.not_subscribed")
            self._spawn(ws.close(code=1000, reason="not subscribed"))
        if ack.req_id in self._ping_ids:
            self._ping_ids.discard(ack.req_id)
            if ack.ok:
                self._unacked_pings = 0
            else:
                log.warning("wecom_bot.ping_refused", errcode=ack.errcode)
            return
        future = self._pending.get(ack.req_id)
        if future is None or future.done():
            log.debug("wecom_bot.ack_unmatched")
            return
        future.set_result(ack)

    # ---- handlers ----

    def _dispatch(self, frame: MessageCallback | EventCallback) -> None:
        inbound: BotMessage | BotEvent = frame.message if isinstance(frame, MessageCallback) else frame.event
        if inbound.msg_id in self._seen:
            log.info("wecom_bot.duplicate_dropped", msg_id=inbound.msg_id)
            return
        self._seen[inbound.msg_id] = None
        if len(self._seen) > _SEEN_MAX:
            self._seen.popitem(last=False)
        reply = Reply(self, frame.req_id, inbound.conversation_id, self._generation)
        self._spawn(self._run_handler(inbound, reply))

    async def _run_handler(self, inbound: BotMessage | BotEvent, reply: Reply) -> None:
        kind = inbound.msgtype if isinstance(inbound, BotMessage) else inbound.event_type
        try:
            await self._handler(inbound, reply)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A failing handler costs its own turn, never the connection.
            log.exception("wecom_bot.handler_failed", kind=kind, msg_id=inbound.msg_id)

    def _spawn(self, coro: Awaitable[None]) -> None:
        async def wrapped() -> None:
            await coro

        task = asyncio.create_task(wrapped())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _cancel_handlers(self) -> None:
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- requests that wait for their answer ----

    def _expect_ack(self, req_id: str) -> asyncio.Future[Ack]:
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        return future

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(WeComBotError(CONNECTION_LOST))
        self._pending.clear()

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, req_id: str) -> AsyncIterator[None]:
        """Requests sharing a req_id (a reply's stream updates) go one by one, each after the previous answer [S]."""
        entry = self._locks.setdefault(req_id, _KeyedLock(asyncio.Lock()))
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[req_id]

    async def _request(self, req_id: str, payload: str, generation: int | None = None) -> Ack:
        """Send and wait for the answer. A reply passes the connection its callback came on: it is never sent on a
        later one (whether the platform would take it there is unknown), it fails with CONNECTION_LOST instead."""
        async with self._one_at_a_time(req_id):
            if not self._running:
                raise WeComBotError(NOT_CONNECTED)
            try:  # a push during a reconnect waits a little for the connection to come back
                await asyncio.wait_for(self._subscribed.wait(), self._ack_timeout_s)
            except TimeoutError:
                raise WeComBotError(NOT_CONNECTED) from None
            ws = self._ws
            if ws is None:
                raise WeComBotError(NOT_CONNECTED)
            if generation is not None and generation != self._generation:
                raise WeComBotError(CONNECTION_LOST, detail="callback came on an earlier connection")
            future = self._expect_ack(req_id)
            try:
                await ws.send(payload)
                ack = await asyncio.wait_for(future, self._ack_timeout_s)
            except TimeoutError:
                raise WeComBotError(ACK_TIMEOUT) from None
            except ConnectionClosed:
                raise WeComBotError(CONNECTION_LOST) from None
            finally:
                if self._pending.get(req_id) is future:
                    del self._pending[req_id]
        if not ack.ok:
            log.warning("wecom_bot.request_rejected", errcode=ack.errcode)
            raise WeComBotError(REJECTED, errcode=ack.errcode, detail=ack.errmsg[:200])
        return ack
