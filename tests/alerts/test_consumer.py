"""The ledger's outbox becomes alerts, once per breach (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.alerts import AlertConsumer, AlertRules, AlertStatus, Consumed, StockAlert
from assistant.ledger.db import make_engine
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.ledger.types import utcnow
from assistant.world.schema import World
from tests.alerts.conftest import ROUTES
from tests.alerts.helpers import alert_rows, d, delivery_rows, sell, transfer, undelivered_events


def _targets(engine: Engine, alert_id: int) -> list[str]:
    return sorted(row.target for row in delivery_rows(engine) if row.alert_id == alert_id)


def test_a_sale_below_the_minimum_opens_one_alert_with_one_delivery_per_target(
        ledger: Ledger, consumer: AlertConsumer, engine: Engine) -> None:
    # Tieguanyin at the tea shop: 25 000 g in storage, safety stock 3000 g; a sale of 22 500 g leaves 2500.
    doc = sell(ledger, "TEA-TGY", 22500)
    assert consumer.consume() == Consumed(events=1, opened=(alert_rows(engine)[0].id,))
    [alert] = alert_rows(engine)
    assert (alert.site, alert.item, alert.status) == ("FZ", "TEA-TGY", "open")
    assert (alert.available, alert.minimum, alert.document) == (d(2500), d(3000), doc.id)
    assert alert.available == ledger.available_total("FZ", "TEA-TGY")
    assert _targets(engine, alert.id) == ["fz-dingtalk", "push"]  # the tea shop's group, not the factory's
    assert all(row.status == "pending" and row.attempts == 0 for row in delivery_rows(engine))
    assert undelivered_events(engine) == 0
    assert consumer.consume() == Consumed()  # nothing more to do
    assert len(alert_rows(engine)) == 1 and len(delivery_rows(engine)) == 2


def test_once_per_breach_closed_on_recovery_and_a_new_breach_alerts_again(
        ledger: Ledger, consumer: AlertConsumer, engine: Engine) -> None:
    # Crankshafts at the factory: 40 on rack A-01 (4 more on line A do not count), safety stock 20.
    first = transfer(ledger, "DG", "CS-1001", 25, "LINE-B")  # reserved: 15 available
    assert len(consumer.consume().opened) == 1
    [alert] = alert_rows(engine)
    assert (alert.available, alert.document) == (d(15), first.id)
    assert _targets(engine, alert.id) == ["dg-wecom", "push"]

    transfer(ledger, "DG", "CS-1001", 5, "LINE-B")  # deeper below: 10
    assert undelivered_events(engine) == 1
    assert consumer.consume() == Consumed(events=1)  # the event is taken, nothing new is written
    assert len(alert_rows(engine)) == 1 and len(delivery_rows(engine)) == 2

    ledger.start_transfer(first.id)
    ledger.complete_transfer(first.id)  # the 25 leave for line B: still 10
    assert consumer.consume() == Consumed()
    transfer(ledger, "DG", "CS-1001", 12, "A-01", source="LINE-B", complete=True)  # 12 come back: 22
    assert ledger.available_total("DG", "CS-1001") == d(22)
    result = consumer.consume()
    assert result == Consumed(closed=(alert.id,))
    [closed] = alert_rows(engine)
    assert (closed.status, closed.closed_level) == ("closed", d(22))
    assert closed.closed_at is not None

    again = transfer(ledger, "DG", "CS-1001", 5, "LINE-A")  # a new breach: 17
    assert len(consumer.consume().opened) == 1
    alerts = alert_rows(engine)
    assert [(a.status, a.available, a.document) for a in alerts] == [("closed", d(15), first.id),
                                                                     ("open", d(17), again.id)]
    assert _targets(engine, alerts[1].id) == ["dg-wecom", "push"]
    assert len(delivery_rows(engine)) == 4


def test_a_recovery_and_a_new_breach_between_two_passes_are_both_seen(
        ledger: Ledger, consumer: AlertConsumer, engine: Engine) -> None:
    first = transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    consumer.consume()
    ledger.cancel_document(first.id)  # back to 40: recovered, but no pass runs now...
    second = transfer(ledger, "DG", "CS-1001", 30, "LINE-B")  # ...and below again: 10
    result = consumer.consume()
    alerts = alert_rows(engine)
    assert result == Consumed(events=1, opened=(alerts[1].id,), closed=(alerts[0].id,))
    assert [(a.status, a.document) for a in alerts] == [("closed", first.id), ("open", second.id)]
    assert alerts[0].closed_level == d(40)
    assert alerts[1].event_id is not None and alerts[1].available == d(10)


def test_a_breach_over_before_it_is_consumed_alerts_nobody(
        ledger: Ledger, consumer: AlertConsumer, engine: Engine) -> None:
    doc = transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    ledger.cancel_document(doc.id)
    assert consumer.consume() == Consumed(events=1)
    assert alert_rows(engine) == [] and undelivered_events(engine) == 0


def test_another_item_and_other_events_are_their_own(ledger: Ledger, consumer: AlertConsumer,
                                                     engine: Engine) -> None:
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    transfer(ledger, "DG", "CM-1002", 25, "LINE-A")  # camshafts: 30, minimum 10 -> 5
    assert len(consumer.consume().opened) == 2
    assert sorted(a.item for a in alert_rows(engine)) == ["CM-1002", "CS-1001"]


def test_the_database_refuses_a_second_open_alert(ledger: Ledger, engine: Engine) -> None:
    def row(status: str) -> StockAlert:
        now = utcnow()
        return StockAlert(site="DG", item="CS-1001", status=status, available=d(1), minimum=d(20),
                          consumption=d(0), window_days=7, lead_time_days=d(7), order_multiple=1, suggested=d(19),
                          checked_move_id=0, checked_level=d(1), opened_at=now)

    with Session(engine) as session, session.begin():
        session.add_all([row("closed"), row("closed"), row("open")])
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.add(row("open"))


@pytest.mark.parametrize("batch", [1, 100])
def test_consumers_racing_write_one_alert_per_breach(ledger: Ledger, engine: Engine, db_url: str, world: World,
                                                     batch: int) -> None:
    # Many events for two breaches; four consumers on two engines take them at the same moment.
    for qty in (25, 2, 2, 2):
        transfer(ledger, "DG", "CS-1001", qty, "LINE-B")
    for qty in (21, 2, 2):
        transfer(ledger, "DG", "CM-1002", qty, "LINE-A")
    engines = [make_engine(db_url) for _ in range(2)]
    try:
        consumers = [AlertConsumer(engines[i % 2], world, ROUTES, AlertRules(batch_size=batch)) for i in range(4)]
        barrier = threading.Barrier(len(consumers))

        def run(consumer: AlertConsumer) -> list[Consumed]:
            barrier.wait()
            return [consumer.consume() for _ in range(8)]

        with ThreadPoolExecutor(len(consumers)) as pool:
            results = [r for rs in pool.map(run, consumers) for r in rs]
    finally:
        for e in engines:
            e.dispose()
    alerts = alert_rows(engine)
    assert sorted((a.item, a.status) for a in alerts) == [("CM-1002", "open"), ("CS-1001", "open")]
    assert sum(len(r.opened) for r in results) == 2
    assert sum(r.events for r in results) == 7  # every event taken exactly once
    assert undelivered_events(engine) == 0
    assert sorted((row.alert_id, row.target) for row in delivery_rows(engine)) == sorted(
        (a.id, t) for a in alerts for t in ("dg-wecom", "push"))


def test_a_consumer_without_routes_still_records_the_alert(ledger: Ledger, engine: Engine, world: World) -> None:
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    assert len(AlertConsumer(engine, world, []).consume().opened) == 1
    assert delivery_rows(engine) == []
    assert [a.status for a in alert_rows(engine)] == [AlertStatus.open]


def test_a_pass_with_nothing_new_writes_nothing(ledger: Ledger, consumer: AlertConsumer, engine: Engine) -> None:
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    consumer.consume()
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert consumer.consume() == Consumed()  # an open alert, no move since: no write transaction at all
        assert [s for s in statements
                if s.startswith(("BEGIN IMMEDIATE", "UPDATE", "INSERT", "DELETE")) or "FOR UPDATE" in s] == []
        transfer(ledger, "DG", "CS-1001", 1, "A-02")  # rack to rack: reserved, so 14 (an event, nothing new)
        statements.clear()
        assert consumer.consume() == Consumed(events=1)
        assert any(s.startswith("UPDATE stock_alerts") for s in statements)  # checked up to the new move
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_consumers_racing_over_a_recovery_and_a_new_breach_close_once_and_open_once(
        ledger: Ledger, consumer: AlertConsumer, engine: Engine, db_url: str, world: World) -> None:
    first = transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    consumer.consume()
    ledger.cancel_document(first.id)
    transfer(ledger, "DG", "CS-1001", 30, "LINE-B")
    engines = [make_engine(db_url) for _ in range(2)]
    try:
        consumers = [AlertConsumer(engines[i % 2], world, ROUTES) for i in range(4)]
        barrier = threading.Barrier(len(consumers))

        def run(c: AlertConsumer) -> Consumed:
            barrier.wait()
            return c.consume()

        with ThreadPoolExecutor(len(consumers)) as pool:
            results = list(pool.map(run, consumers))
    finally:
        for e in engines:
            e.dispose()
    assert sum(len(r.closed) for r in results) == 1 and sum(len(r.opened) for r in results) == 1
    assert [a.status for a in alert_rows(engine)] == ["closed", "open"]
    assert len(delivery_rows(engine)) == 4


def test_a_reset_ledger_closes_the_alerts_it_no_longer_shows(ledger: Ledger, consumer: AlertConsumer,
                                                             engine: Engine, world: World) -> None:
    transfer(ledger, "DG", "CS-1001", 25, "LINE-B")
    consumer.consume()
    load_world_into(engine, world)  # `frontline demo reset`: every move and event forgotten, 40 on the rack
    assert consumer.consume().closed == (alert_rows(engine)[0].id,)
    [alert] = alert_rows(engine)
    assert (alert.status, alert.closed_level) == ("closed", d(40))
