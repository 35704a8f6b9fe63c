"""Where the broker is: an external one from a URL (mqtt://host:port), or an embedded amqtt broker in-process
so a single `make run` works alone."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int

    @classmethod
    def from_url(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError(f"unsupported broker URL {url!r} (expected mqtt://host:port)")
        return cls(host=parts.hostname, port=parts.port or 1883)

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class EmbeddedBroker:
    """An amqtt broker on loopback. `port=0` picks a free port once; restarts keep it (clients reconnect)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.address = BrokerAddress(host, port or free_port(host))
        self._broker: Any = None

    @property
    def url(self) -> str:
        return self.address.url

    async def start(self) -> None:
        from amqtt.broker import Broker  # imported here: only the embedded default needs it

        # amqtt logs every packet at INFO; keep the app's logs readable.
        logging.getLogger("amqtt").setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.address.host}:{self.address.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._broker = Broker(config)
        await self._broker.start()
        log.info("fleet.broker_started", url=self.url)

    async def stop(self) -> None:
        if self._broker is not None:
            await self._broker.shutdown()
            self._broker = None
            log.info("fleet.broker_stopped", url=self.url)

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()


async def clear_retained(broker: BrokerAddress, topics: list[str]) -> None:
    """Remove retained messages (a zero-length retained publish), e.g. after a test or benchmark run."""
    import aiomqtt

    try:
        async with aiomqtt.Client(broker.host, broker.port, identifier=f"cleanup-{free_port()}") as client:
            for topic in topics:
                await client.publish(topic, b"", qos=1, retain=True)
    except aiomqtt.MqttError as exc:
        log.warning("fleet.clear_retained_failed", error=str(exc))
