"""Where the pool's messages live in Redis, under one installation's prefix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GROUP = "workers"  # the one consumer group of the jobs and opens streams


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:recognition"

    @property
    def jobs(self) -> str:
        return f"{self.base}:jobs"

    @property
    def opens(self) -> str:
        return f"{self.base}:opens"

    @property
    def vocabulary(self) -> str:
        return f"{self.base}:vocabulary"  # pub/sub channel

    def reply(self, request: str) -> str:
        return f"{self.base}:reply:{request}"

    def session_in(self, session: str) -> str:
        return f"{self.base}:session:{session}:in"

    def session_out(self, session: str) -> str:
        return f"{self.base}:session:{session}:out"

    def alive(self, worker: str) -> str:
        return f"{self.base}:worker:{worker}"

    @property
    def alive_pattern(self) -> str:
        return f"{self.base}:worker:*"

    @property
    def roster(self) -> str:
        """Sorted set: each worker by when its heartbeat runs out (Redis's clock, ms), to count them without a SCAN."""
        return f"{self.base}:workers"


async def redis_ms(redis: Any) -> int:
    """Redis's own clock: the machines of the pool need not agree on the time."""
    seconds, micros = await redis.time()
    return int(seconds) * 1000 + int(micros) // 1000


def stream_entries(read: Any) -> list[tuple[str, dict[Any, Any]]]:
    """XREAD / XREADGROUP's answer (each stream with its entries) → (entry id, fields) in order; entries deleted
    meanwhile (no fields) are left out."""
    found: list[tuple[str, dict[Any, Any]]] = []
    for _stream, entries in read or ():
        for entry_id, fields in entries:
            if fields:
                found.append((entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id), dict(fields)))
    return found
