"""The device state's contract, held by both implementations: in this process (the default) and shared in Redis.
Then what only the shared one promises: two processes see one state, one lock and one bucket; a lock of a process
that died is freed; a store that does not answer is said, not swallowed."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from assistant.state import DeviceBusy, StateConfig, StateUnavailable, open_state
from assistant.state.shared import RedisPushBus, RedisState, RedisTurnRate
from tests.scale.conftest import REDIS_URL, device_state, new_prefix, redis_client, turn_rate
from tests.support import TcpProxy

pytestmark = pytest.mark.redis

KINDS = ["memory", "redis"]


@pytest.mark.parametrize("kind", KINDS)
async def test_values_are_kept_per_device_and_name(kind: str) -> None:
    async with device_state(kind, new_prefix()) as state:
        assert await state.get("HMD-01", "language") is None
        await state.put("HMD-01", "language", "en")
        await state.put("HMD-02", "language", "zh")
        await state.put("HMD-01", "awaiting", ["confirmation", "confirm"])
        assert await state.get("HMD-01", "language") == "en"
        assert await state.get("HMD-02", "language") == "zh"
        assert await state.get("HMD-01", "awaiting") == ["confirmation", "confirm"]
        await state.put("HMD-01", "language", "zh")  # the last write is what is kept
        assert await state.get("HMD-01", "language") == "zh"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_popped_value_is_handed_out_once(kind: str) -> None:
    scans = [{"kind": "item", "code": "P-1001", "lot": None, "expiry": None}]
    async with device_state(kind, new_prefix()) as state:
        await state.put("HMD-01", "scans", scans, ttl_s=300)
        taken = await asyncio.gather(*(state.pop("HMD-01", "scans") for _ in range(5)))
        assert taken.count(scans) == 1 and taken.count(None) == 4
        assert await state.get("HMD-01", "scans") is None


@pytest.mark.parametrize("kind", KINDS)
async def test_a_value_with_a_lifetime_is_gone_after_it(kind: str) -> None:
    async with device_state(kind, new_prefix()) as state:
        await state.put("HMD-01", "scans", ["short"], ttl_s=0.2)
        await state.put("HMD-01", "location", "DG-A-01")  # no lifetime: kept
        assert await state.get("HMD-01", "scans") == ["short"]
        await asyncio.sleep(0.35)
        assert await state.pop("HMD-01", "scans") is None
        assert await state.get("HMD-01", "location") == "DG-A-01"


@pytest.mark.parametrize("kind", KINDS)
async def test_turns_of_one_device_run_one_at_a_time_in_arrival_order(kind: str) -> None:
    async with device_state(kind, new_prefix()) as state:
        inside: dict[str, int] = {"HMD-01": 0, "HMD-02": 0}
        most = {"HMD-01": 0, "HMD-02": 0}
        order: list[str] = []

        async def turn(device: str, name: str) -> None:
            async with state.turn(device):
                inside[device] += 1
                most[device] = max(most[device], inside[device])
                await asyncio.sleep(0.05)
                order.append(name)
                inside[device] -= 1

        started = asyncio.get_running_loop().time()
        await asyncio.gather(*(turn("HMD-01", f"one-{i}") for i in range(4)), turn("HMD-02", "two"))
        assert most == {"HMD-01": 1, "HMD-02": 1}
        assert [n for n in order if n.startswith("one")] == [f"one-{i}" for i in range(4)]
        assert order.index("two") < 3  # the other device did not wait behind HMD-01's queue
        assert asyncio.get_running_loop().time() - started < 1.5


@pytest.mark.parametrize("kind", KINDS)
async def test_a_burst_then_the_sustained_rate(kind: str) -> None:
    async with turn_rate(kind, new_prefix(), per_second=2.0, burst=3) as rate:
        assert [await rate.take("HMD-01") for _ in range(3)] == [None, None, None]
        assert await rate.take("HMD-01") == 1  # empty: wait a second
        assert await rate.take("PAD-01") is None  # each device has its own bucket
        await asyncio.sleep(0.6)
        assert await rate.take("HMD-01") is None  # one token back after half a second at 2/s
        assert await rate.take("HMD-01") == 1


async def test_two_processes_share_one_value_one_lock_and_one_bucket() -> None:
    prefix = new_prefix()
    async with redis_client(prefix) as one, redis_client(prefix) as two:
        first, second = RedisState(one, prefix), RedisState(two, prefix)
        await first.put("HMD-01", "scans", ["label"], ttl_s=60)
        assert await asyncio.gather(first.pop("HMD-01", "scans"), second.pop("HMD-01", "scans")) in (
            [["label"], None], [None, ["label"]])

        inside, most = 0, 0

        async def turn(state: RedisState) -> None:
            nonlocal inside, most
            async with state.turn("HMD-01"):
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0.05)
                inside -= 1

        await asyncio.gather(*(turn(s) for s in (first, second) * 3))
        assert most == 1

        rates = RedisTurnRate(one, prefix, 1.0, 4), RedisTurnRate(two, prefix, 1.0, 4)
        taken = [await rates[i % 2].take("HMD-01") for i in range(6)]
        assert taken[:4] == [None] * 4 and all(w is not None and w >= 1 for w in taken[4:])


async def test_a_turn_that_waits_too_long_is_refused_and_a_dead_holder_frees_the_lock() -> None:
    prefix = new_prefix()
    async with redis_client(prefix) as one, redis_client(prefix) as two:
        holder = RedisState(one, prefix, lock_ttl_s=0.6)
        waiter = RedisState(two, prefix, lock_wait_s=0.2)
        # A process that took the lock and died: nobody releases it, its lifetime does.
        assert await one.lock(f"{prefix}:device:HMD-01:turn", timeout=0.6, thread_local=False).acquire()
        with pytest.raises(DeviceBusy) as busy:
            async with waiter.turn("HMD-01"):
                pass
        assert busy.value.device == "HMD-01"
        async with RedisState(two, prefix, lock_wait_s=2.0).turn("HMD-01"):
            pass  # granted once the dead holder's lock expired
        async with holder.turn("HMD-02"):  # another device was never held up
            pass


async def test_a_push_reaches_every_process() -> None:
    prefix = new_prefix()
    async with redis_client(prefix) as one, redis_client(prefix) as two:
        buses = RedisPushBus(one, prefix), RedisPushBus(two, prefix)
        got: list[list[tuple[str, object]]] = [[], []]
        arrived = asyncio.Event()

        for bus, inbox in zip(buses, got, strict=True):
            async def deliver(device: str, body: object, inbox: list[tuple[str, object]] = inbox) -> None:
                inbox.append((device, body))
                if all(got):
                    arrived.set()
            await bus.start(deliver)
        try:
            await buses[0].publish("PAD-DG", {"event": "approval-requested", "text": "调拨单TR-000001等待审批"})
            await asyncio.wait_for(arrived.wait(), timeout=5)
            assert got[0] == got[1] == [("PAD-DG", {"event": "approval-requested", "text": "调拨单TR-000001等待审批"})]
        finally:
            for bus in buses:
                await bus.aclose()


async def test_a_store_that_does_not_answer_is_said() -> None:
    with pytest.raises(StateUnavailable, match="does not answer") as down:
        await open_state(StateConfig(url="redis://:hidden@127.0.0.1:1/0"))
    assert "hidden" not in str(down.value)  # no password in the words or the log
    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        with pytest.raises(StateUnavailable):
            await RedisState(gone, "x").put("HMD-01", "language", "zh")
        assert await RedisTurnRate(gone, "x", 1.0, 1).take("HMD-01") is None  # the turn itself will say it
        with pytest.raises(StateUnavailable):
            async with RedisState(gone, "x").turn("HMD-01"):
                pass
    finally:
        await gone.aclose()
    parts = await open_state(StateConfig(url=REDIS_URL, prefix=new_prefix()))
    try:
        assert parts.shared and parts.bus is not None
    finally:
        await parts.aclose()
    memory = await open_state(StateConfig())
    assert not memory.shared and memory.bus is None


async def test_pushes_flow_again_after_redis_comes_back() -> None:
    """The subscription of a process whose connection to Redis was cut is made again when Redis answers again."""
    prefix = new_prefix()
    proxy = TcpProxy(6379).on()
    cut = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", socket_connect_timeout=1)
    got: list[tuple[str, object]] = []
    bus = RedisPushBus(cut, prefix)

    async def deliver(device: str, body: object) -> None:
        got.append((device, body))

    async def delivered(count: int) -> None:
        async with redis_client(prefix) as direct:
            publisher = RedisPushBus(direct, prefix)
            for _ in range(100):  # until it arrives: the subscription may take a moment to come back
                await publisher.publish("HMD-01", {"n": count})
                await asyncio.sleep(0.1)
                if any(body == {"n": count} for _device, body in got):
                    return
        raise AssertionError(f"push {count} never arrived: {got}")

    try:
        await bus.start(deliver)
        await delivered(1)
        proxy.off()
        await asyncio.sleep(1.5)
        proxy.on()
        await delivered(2)
    finally:
        await bus.aclose()
        await cut.aclose()
        proxy.off()
