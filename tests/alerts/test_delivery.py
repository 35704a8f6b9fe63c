"""The delivery outbox: retried with backoff until the target takes it, sent once, never lost across a restart
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from assistant.alerts import (
    Alert,
    AlertConsumer,
    AlertService,
    AlertStore,
    CallbackTarget,
    Claimed,
    DeliveryPolicy,
    DeliveryStatus,
)
from assistant.ledger.db import make_engine
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from tests.alerts.helpers import Named, Recorder, d, delivery_rows, transfer

FAST = DeliveryPolicy(poll_s=0.05, retry_initial_s=0.05, retry_factor=2, retry_max_s=1, jitter=0, send_timeout_s=2,
                      lease_s=30)


async def _until(condition: object, timeout: float = 15.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _all_sent(engine: Engine) -> bool:
    rows = delivery_rows(engine)
    return bool(rows) and all(row.status == DeliveryStatus.sent for row in rows)


def test_the_backoff_doubles_up_to_its_cap() -> None:
    policy = DeliveryPolicy(retry_initial_s=5, retry_factor=2, retry_max_s=60)
    assert [policy.retry_delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    with pytest.raises(ValueError):
        DeliveryPolicy(send_timeout_s=30, lease_s=10)


async def test_a_failing_target_is_retried_and_gets_the_alert_once(ledger: Ledger, engine: Engine,
                                                                   world: World) -> None:
    group, push = Recorder("dg-wecom", {"DG"}, failures=2), Recorder("push")
    service = AlertService(engine, world, [group, push], policy=FAST)
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")

    first = await service.run_once()
    assert len(first.consumed.opened) == 1 and len(first.sent) == 1 and len(first.failed) == 1
    [failed] = [row for row in delivery_rows(engine) if row.target == "dg-wecom"]
    assert (failed.status, failed.attempts, failed.last_error) == ("pending", 1, "dg-wecom is down (attempt 1)")
    assert (await service.run_once()).sent == ()  # not due yet: backing off

    await service.start()
    try:
        await _until(lambda: _all_sent(engine))
    finally:
        await service.stop()
    assert (group.attempts, len(group.received), push.attempts, len(push.received)) == (3, 1, 1, 1)
    rows = {row.target: row for row in delivery_rows(engine)}
    assert (rows["dg-wecom"].attempts, rows["dg-wecom"].last_error) == (3, None)
    assert rows["dg-wecom"].sent_at is not None and rows["push"].attempts == 1
    assert group.received[0].item == "CS-1001" and group.received[0].status == "open"


async def test_pending_deliveries_survive_a_restart(ledger: Ledger, engine: Engine, world: World) -> None:
    down = Recorder("dg-wecom", {"DG"}, failures=1000)
    first = AlertService(engine, world, [down, Recorder("push")], policy=FAST)
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    await first.run_once()
    await first.stop()
    [pending] = [row for row in delivery_rows(engine) if row.status == DeliveryStatus.pending]
    assert (pending.target, pending.attempts) == ("dg-wecom", 1)

    up = Recorder("dg-wecom", {"DG"})
    second = AlertService(engine, world, [up, Recorder("push")], policy=FAST)  # a new process, say
    await second.start()
    try:
        await _until(lambda: _all_sent(engine))
    finally:
        await second.stop()
    assert len(up.received) == 1
    assert [row.attempts for row in delivery_rows(engine) if row.target == "dg-wecom"] == [2]


async def test_a_send_cut_short_by_a_stop_is_sent_by_the_next_instance_at_once(
        ledger: Ledger, engine: Engine, world: World) -> None:
    entered = asyncio.Event()

    async def hang(alert: Alert) -> None:
        entered.set()
        await asyncio.Event().wait()

    policy = FAST.model_copy(update={"send_timeout_s": 60, "lease_s": 600})
    first = AlertService(engine, world, [CallbackTarget("push", hang)], policy=policy)
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    await first.start()
    await asyncio.wait_for(entered.wait(), 10)
    await first.stop()  # the claim (a 10-minute lease) is given back

    received: list[Alert] = []

    async def keep(alert: Alert) -> None:
        received.append(alert)

    second = AlertService(engine, world, [CallbackTarget("push", keep)], policy=policy)
    report = await second.run_once()
    assert len(report.sent) == 1 and len(received) == 1


async def test_what_a_broken_target_raises_is_a_failure_that_keeps_no_secret(
        ledger: Ledger, engine: Engine, world: World) -> None:
    async def broken(alert: Alert) -> None:
        raise RuntimeError("https://example.invalid/send?key=SECRET-KEY")

    async def slow(alert: Alert) -> None:
        await asyncio.sleep(5)

    policy = FAST.model_copy(update={"send_timeout_s": 0.2})
    service = AlertService(engine, world, [CallbackTarget("push", broken), CallbackTarget("slow", slow)],
                           policy=policy)
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    report = await service.run_once()
    assert len(report.failed) == 2
    errors = {row.target: row.last_error for row in delivery_rows(engine)}
    assert errors == {"push": "RuntimeError raised by the target", "slow": "no answer within 0.2 s"}


async def test_a_poke_runs_a_pass_now(ledger: Ledger, engine: Engine, world: World) -> None:
    got: list[Alert] = []

    async def keep(alert: Alert) -> None:
        got.append(alert)

    service = AlertService(engine, world, [CallbackTarget("push", keep, sites={"DG"})],
                           policy=FAST.model_copy(update={"poll_s": 60}))
    await service.start()
    try:
        await asyncio.sleep(0.2)  # the first pass found nothing; the next is a minute away
        await asyncio.to_thread(transfer, ledger, "DG", "CS-1001", 25, "LINE-B")
        service.poke_threadsafe()
        await _until(lambda: bool(got), timeout=5)
    finally:
        await service.stop()
    assert got[0].site == "DG" and got[0].model_dump(mode="json")["available"] == "15.000"


async def test_rows_of_targets_this_process_does_not_have_wait_for_one_that_does(
        ledger: Ledger, engine: Engine, world: World) -> None:
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    AlertConsumer(engine, world, [Named("dg-wecom"), Named("push")]).consume()  # another process's routes
    await AlertService(engine, world, [Recorder("push")], policy=FAST).run_once()
    rows = {row.target: (row.status, row.attempts) for row in delivery_rows(engine)}
    assert rows == {"dg-wecom": ("pending", 0), "push": ("sent", 1)}


def test_two_senders_never_claim_one_row(ledger: Ledger, engine: Engine, world: World, db_url: str) -> None:
    for item, qty in (("CS-1001", 25), ("CM-1002", 25)):
        transfer(ledger, "DG", item, qty, "LINE-B")
    targets = [Named(f"t{i}") for i in range(10)]
    AlertConsumer(engine, world, targets).consume()  # 2 alerts x 10 targets = 20 rows
    engines = [make_engine(db_url) for _ in range(4)]
    try:
        stores = [AlertStore(e, world) for e in engines]
        barrier = threading.Barrier(len(stores))

        def claim(store: AlertStore) -> list[Claimed]:
            barrier.wait()
            return [c for _ in range(5) for c in store.claim([t.name for t in targets], 3, 60)]

        with ThreadPoolExecutor(len(stores)) as pool:
            claimed = [c.id for cs in pool.map(claim, stores) for c in cs]
    finally:
        for e in engines:
            e.dispose()
    assert len(claimed) == 20 and len(set(claimed)) == 20


async def test_rows_whose_lease_would_end_mid_send_are_given_back(ledger: Ledger, engine: Engine,
                                                                  world: World) -> None:
    async def slow(alert: Alert) -> None:
        await asyncio.sleep(0.4)

    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    transfer(ledger, "DG", "CM-1002", 25, "LINE-B")
    plan = ledger.plan_sales_order("FZ", "C000", dt.date(2025, 1, 20), [("TEA-TGY", d(22500))])
    ledger.confirm_sales_order(plan, device="PAD-01", worker="W11", turn_id=None)
    policy = FAST.model_copy(update={"send_timeout_s": 0.5, "lease_s": 0.8})
    service = AlertService(engine, world, [CallbackTarget("push", slow)], policy=policy)
    report = await service.run_once()  # the first send ends at ~0.4 s: a second could outlive the 0.8 s lease
    assert len(report.consumed.opened) == 3 and len(report.sent) == 1 and report.failed == ()
    rows = delivery_rows(engine)
    assert sorted((row.status, row.attempts) for row in rows) == [("pending", 0), ("pending", 0), ("sent", 1)]
    assert (await service.run_once()).sent and (await service.run_once()).sent
    assert _all_sent(engine)
