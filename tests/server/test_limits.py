"""The turn rate's token bucket (in this process), on a clock the test moves. The shared one: tests/scale."""

from __future__ import annotations

from assistant.state import MemoryTurnRate as TurnRate


async def test_a_burst_then_the_sustained_rate() -> None:
    now = [100.0]
    rate = TurnRate(per_second=2.0, burst=3, clock=lambda: now[0])
    assert [await rate.take("HMD-01") for _ in range(3)] == [None, None, None]
    assert await rate.take("HMD-01") == 1  # empty: wait a second
    assert await rate.take("PAD-01") is None  # each device has its own bucket
    now[0] += 0.5
    assert await rate.take("HMD-01") is None  # one token back after half a second at 2/s
    assert await rate.take("HMD-01") == 1
    now[0] += 60
    assert [await rate.take("HMD-01") for _ in range(4)] == [None, None, None, 1]  # never more than the burst
