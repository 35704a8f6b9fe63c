"""One MQTT connection that survives broker restarts: reconnects, resubscribes and tells its owner.

Used by the fleet service (master control) and by each simulated vehicle (with a last will)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiomqtt
import structlog

from assistant.fleet.broker import BrokerAddress
from assistant.fleet.tasks import stop_task

log = structlog.get_logger(__name__)

OnMessage = Callable[[str, bytes, bool], Awaitable[None]]  # topic, payload, retained
OnConnect = Callable[[], Awaitable[None]]


class MqttLink:
    def __init__(
        self, broker: BrokerAddress, client_id: str, *, subscriptions: Sequence[tuple[str, int]] = (),
        on_message: OnMessage | None = None, on_connect: OnConnect | None = None,
        will: tuple[str, dict[str, Any], int, bool] | None = None, retry_s: float = 0.5, keepalive_s: int = 10,
    ) -> None:
        self._broker, self._client_id = broker, client_id
        self._subscriptions, self._will = list(subscriptions), will
        self._on_message, self._on_connect = on_message, on_connect
        self._retry_s, self._keepalive_s = retry_s, keepalive_s
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"mqtt:{self._client_id}")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_task(self._task)
            self._task = None
        self.connected.clear()

    async def publish(self, topic: str, message: dict[str, Any], *, qos: int = 0, retain: bool = False) -> bool:
        """Send now if connected; False otherwise (the caller's outbox keeps it for the next connect)."""
        client = self._client
        if client is None or not self.connected.is_set():
            return False
        try:
            await client.publish(topic, json.dumps(message, ensure_ascii=False).encode(), qos=qos, retain=retain)
        except aiomqtt.MqttError as exc:
            log.warning("fleet.publish_failed", topic=topic, error=str(exc))
            return False
        return True

    async def publish_raw(self, topic: str, payload: bytes, *, qos: int = 0, retain: bool = False) -> bool:
        client = self._client
        if client is None or not self.connected.is_set():
            return False
        await client.publish(topic, payload, qos=qos, retain=retain)
        return True

    async def _run(self) -> None:
        will = None
        if self._will is not None:
            topic, payload, qos, retain = self._will
            will = aiomqtt.Will(topic, json.dumps(payload).encode(), qos=qos, retain=retain)
        while True:
            try:
                async with aiomqtt.Client(self._broker.host, self._broker.port, identifier=self._client_id,
                                          will=will, keepalive=self._keepalive_s, timeout=5) as client:
                    self._client = client
                    for topic, qos in self._subscriptions:
                        await client.subscribe(topic, qos=qos)
                    self.connected.set()
                    log.info("fleet.mqtt_connected", client=self._client_id, broker=self._broker.url)
                    if self._on_connect is not None:
                        await self._guard(self._on_connect())
                    async for message in client.messages:
                        if self._on_message is not None and isinstance(message.payload, bytes | bytearray):
                            await self._guard(self._on_message(str(message.topic), bytes(message.payload),
                                                               bool(message.retain)))
            except aiomqtt.MqttError as exc:
                if self.connected.is_set():
                    log.warning("fleet.mqtt_disconnected", client=self._client_id, error=str(exc))
            finally:
                self.connected.clear()
                self._client = None
            await asyncio.sleep(self._retry_s)

    async def _guard(self, work: Awaitable[None]) -> None:
        # A bug in one handler must not take the connection (and every other vehicle) down with it.
        try:
            await work
        except aiomqtt.MqttError:
            raise
        except Exception:
            log.exception("fleet.handler_failed", client=self._client_id)
