"""The device state the settings choose: in this process (no URL, the default), or shared in Redis."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from assistant.state.base import DeviceState, PushBus, StateUnavailable, TurnRate
from assistant.state.memory import MemoryState, MemoryTurnRate
from assistant.state.shared import RedisPushBus, RedisState, RedisTurnRate

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class StateConfig:
    url: str = ""  # redis://host:6379/0; empty: this process only
    prefix: str = "frontline"
    turns_per_second: float = 10.0
    turn_burst: int = 20
    lock_ttl_s: float = 60.0  # a turn lock held longer (its process died) is freed
    lock_wait_s: float = 30.0  # a turn waiting longer for its device's lock is refused (device-busy)


@dataclass
class StateParts:
    state: DeviceState
    rate: TurnRate
    bus: PushBus | None  # None: pushes go straight to this process's sockets
    redis: Redis | None = None

    @property
    def shared(self) -> bool:
        return self.redis is not None

    async def answers(self) -> bool | None:
        """Whether the shared store answers now (readiness); None: nothing shared, nothing to ask."""
        if self.redis is None:
            return None
        try:
            return bool(await self.redis.ping())
        except RedisError:
            return False

    async def aclose(self) -> None:
        if self.bus is not None:
            await self.bus.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def redacted(url: str) -> str:
    """The URL without its password, for the log."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{userinfo.partition(':')[0] + ':***@' if at else ''}{host}"


async def open_state(config: StateConfig) -> StateParts:
    """Connects (and checks the connection) when shared: a scaled app without its shared state would be wrong
    quietly, so it does not start."""
    if not config.url:
        return StateParts(MemoryState(), MemoryTurnRate(config.turns_per_second, config.turn_burst), None)
    redis = Redis.from_url(config.url, socket_timeout=5.0, socket_connect_timeout=5.0, health_check_interval=30)
    try:
        await redis.ping()
    except RedisError as error:
        await redis.aclose()
        raise StateUnavailable(f"the shared state at {redacted(config.url)} does not answer: "
                               f"{type(error).__name__}") from error
    log.info("state-shared", url=redacted(config.url), prefix=config.prefix)
    return StateParts(RedisState(redis, config.prefix, lock_ttl_s=config.lock_ttl_s, lock_wait_s=config.lock_wait_s),
                      RedisTurnRate(redis, config.prefix, config.turns_per_second, config.turn_burst),
                      RedisPushBus(redis, config.prefix), redis)
