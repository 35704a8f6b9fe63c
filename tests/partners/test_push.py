"""Partner push: events become deliveries per subscribed partner; signed POSTs retried until a 2xx, each event
once; pending rows survive a restart; two senders never send one row twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import httpx
from sqlalchemy import Engine

from assistant.ledger.db import make_engine
from assistant.ledger.service import Ledger
from assistant.partners import (
    EVENT_ID,
    SIGNATURE,
    TIMESTAMP,
    DeliveryStatus,
    EventType,
    PartnerConsumer,
    PartnerService,
    PartnerStore,
    signature,
    verify_signature,
)
from tests.alerts.helpers import sell, transfer
from tests.partners.helpers import FAST, SECRET, LoopbackPartner, delivery_rows, partner
from tests.support import free_port, serve

NOWHERE = "http://127.0.0.1:9/hook"  # never reached: these tests only consume


async def _until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_a_confirmed_sale_makes_one_delivery_per_subscribed_partner(ledger: Ledger, engine: Engine) -> None:
    partners = [partner("bank", NOWHERE), partner("erp-fz", NOWHERE, sites={"FZ"}),
                partner("erp-dg", NOWHERE, sites={"DG"}),
                partner("wms", NOWHERE, EventType.transfer_done),
                partner("notary", NOWHERE, EventType.contract_signed)]
    consumer = PartnerConsumer(engine, ledger, partners)
    sale = sell(ledger, *_sellable(ledger))
    assert len(consumer.consume()) == 1
    rows = delivery_rows(engine)
    assert sorted(r.partner for r in rows) == ["bank", "erp-fz"]
    assert {r.document_id for r in rows} == {sale.id} and len({r.event_id for r in rows}) == 1
    assert all(r.status == DeliveryStatus.pending and r.attempts == 0 for r in rows)
    assert consumer.consume() == []  # once per (document, event)

    open_transfer = transfer(ledger, "DG", "CS-1001", 5, "LINE-B")
    assert consumer.consume() == []  # confirmed, not done: nobody is told
    transfer(ledger, "DG", "CS-1001", 5, "LINE-B", complete=True)
    assert len(consumer.consume()) == 1
    new = [r for r in delivery_rows(engine) if r.document_id != sale.id]
    assert [r.partner for r in new] == ["wms"] and open_transfer.id not in {r.document_id for r in new}
    log = PartnerStore(engine).deliveries(site="FZ", document=sale.id)
    assert {d.partner for d in log} == {"bank", "erp-fz"}
    assert {d.event_type for d in log} == {EventType.sales_order_confirmed}


def _sellable(ledger: Ledger) -> tuple[str, int]:
    """An item the demo sells at FZ (the alerts tests' helper sells from FZ to C000)."""
    stock = [s for s in ledger.stock("FZ") if s.available >= 2]
    assert stock, "the demo world has stock at FZ"
    return stock[0].item, 1


async def test_a_failing_partner_gets_the_event_once_on_the_third_attempt(ledger: Ledger, engine: Engine) -> None:
    receiver = LoopbackPartner(failures=2)
    port = free_port()
    with serve(receiver.app(), port) as base:
        async with httpx.AsyncClient() as http:
            service = PartnerService(engine, ledger, [partner("bank", f"{base}/hook")], http, policy=FAST)
            sale = sell(ledger, *_sellable(ledger))
            await service.start()
            try:
                service.poke()
                await _until(lambda: all(r.status == DeliveryStatus.delivered for r in delivery_rows(engine))
                             and bool(delivery_rows(engine)))
            finally:
                await service.stop()
    assert len(receiver.requests) == 3 and len(receiver.accepted) == 1
    got = receiver.accepted[0]
    payload = got.json
    assert payload["type"] == "sales_order.confirmed" and payload["site"] == "FZ"
    assert payload["document"]["id"] == sale.id and payload["document"]["status"] == "confirmed"
    assert got.headers[EVENT_ID.lower()] == payload["id"]
    assert got.headers["content-type"] == "application/json"
    assert verify_signature(SECRET, got.body, got.headers[TIMESTAMP.lower()], got.headers[SIGNATURE.lower()])
    assert not verify_signature("another-secret-of-length", got.body, got.headers[TIMESTAMP.lower()],
                                got.headers[SIGNATURE.lower()])
    assert {r.headers[EVENT_ID.lower()] for r in receiver.requests} == {payload["id"]}  # one id on every attempt
    [row] = delivery_rows(engine)
    assert row.attempts == 3 and row.last_status == 204 and row.last_error is None
    assert row.delivered_at is not None


def test_a_signature_binds_the_body_and_the_timestamp() -> None:
    body, now = b'{"id":"x"}', 1_750_000_000
    good = signature(SECRET, now, body)
    assert verify_signature(SECRET, body, str(now), good, now=now + 10)
    assert not verify_signature(SECRET, body + b" ", str(now), good, now=now)
    assert not verify_signature(SECRET, body, str(now + 1), good, now=now)
    assert not verify_signature(SECRET, body, str(now), good, now=now + 301)  # too old: a replay
    assert not verify_signature(SECRET, body, None, good)
    assert not verify_signature(SECRET, body, str(now), "sha256=00", now=now)


async def test_a_restarted_service_sends_pending_rows(ledger: Ledger, engine: Engine) -> None:
    port = free_port()  # nothing listens there yet: the partner is down
    url = f"http://127.0.0.1:{port}/hook"
    async with httpx.AsyncClient() as http:
        first = PartnerService(engine, ledger, [partner("bank", url)], http, policy=FAST)
        sell(ledger, *_sellable(ledger))
        report = await first.run_once()
        assert len(report.events) == 1 and len(report.failed) == 1
        await first.stop()
    [row] = delivery_rows(engine)
    assert row.status == DeliveryStatus.pending and row.attempts == 1
    assert row.last_error == "ConnectError" and row.last_status is None  # no URL, no secret

    receiver = LoopbackPartner()
    with serve(receiver.app(), port):
        async with httpx.AsyncClient() as http:
            second = PartnerService(engine, ledger, [partner("bank", url)], http, policy=FAST)
            await second.start()
            try:
                await _until(lambda: delivery_rows(engine)[0].status == DeliveryStatus.delivered)
            finally:
                await second.stop()
    assert len(receiver.accepted) == 1 and delivery_rows(engine)[0].attempts == 2


async def test_two_senders_never_send_one_row_twice(ledger: Ledger, engine: Engine, db_url: str) -> None:
    receiver = LoopbackPartner()
    other_engine = make_engine(db_url)
    try:
        with serve(receiver.app(), free_port()) as base:
            item, qty = _sellable(ledger)
            for _ in range(6):
                sell(ledger, item, qty)
            async with httpx.AsyncClient() as http:
                partners = [partner("bank", f"{base}/hook"), partner("erp", f"{base}/hook")]
                one = PartnerService(engine, ledger, partners, http, policy=FAST)
                two = PartnerService(other_engine, ledger, partners, http, policy=FAST)
                for _ in range(4):
                    await asyncio.gather(one.run_once(), two.run_once())
    finally:
        other_engine.dispose()
    rows = delivery_rows(engine)
    assert len(rows) == 12 and all(r.status == DeliveryStatus.delivered and r.attempts == 1 for r in rows)
    sent = Counter(r.headers[EVENT_ID.lower()] for r in receiver.requests)
    assert len(sent) == 6 and set(sent.values()) == {2}  # each event once to each of the two partners
