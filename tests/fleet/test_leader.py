"""One dispatcher among several processes: fleet services on one PostgreSQL database and the system Mosquitto
elect exactly one; a transfer confirmed through a follower gets exactly one AGV order; when the dispatcher's lock
connection is lost or its process is killed mid-order, the other takes over within a bound and the order
completes, its messages never doubled into a second move. On SQLite the one process dispatches."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiomqtt
import psycopg
import pytest
from sqlalchemy import Engine

from assistant.fleet import FleetConfig, FleetEvent, FleetService, LinkStatus
from assistant.fleet.broker import BrokerAddress, EmbeddedBroker, clear_retained
from assistant.fleet.leadership import lock_namespace
from assistant.fleet.pg_coordinator import LEADER, PgCoordinator
from assistant.fleet.sim import SimConfig, SimVehicle
from assistant.fleet.topics import topic_name
from assistant.fleet.validation import Topic
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocStatus
from assistant.world.loader import load_world
from assistant.world.schema import World
from tests.fleet.support import FAST, MOSQUITTO, harness, wait_until

pytestmark = pytest.mark.postgres

PG_ADMIN = os.environ.get("FRONTLINE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parents[2]
# Slow enough to kill the dispatcher on the way to the rack, fast enough for a short test.
DRIVE = SimConfig(speed_m_s=6.0, action_s=0.6, state_period_s=0.2, visualization_period_s=0.5, tick_s=0.02)
TAKEOVER_S = 3.0  # retry 0.3 s + a heartbeat; generous for a loaded 2-core box


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A migrated, empty database of its own (advisory locks and NOTIFY channels are per database)."""
    name = f"frontline_fleet_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Node:
    """One app process's fleet: its own engine, ledger and service, the events it emitted and relayed."""

    name: str
    engine: Engine
    ledger: Ledger
    fleet: FleetService
    events: list[FleetEvent] = field(default_factory=list)  # emitted here (as the dispatcher)
    remote: list[FleetEvent] = field(default_factory=list)  # emitted by the dispatcher in another process


@dataclass
class Spy:
    """Every order and instant action on the broker under the test's base topic."""

    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def orders(self) -> list[tuple[str, int]]:
        return [(m["orderId"], m["orderUpdateId"]) for t, m in self.messages if t == "order"]

    def actions(self) -> list[str]:
        return [a["actionType"] for t, m in self.messages if t == "instantActions" for a in m["actions"]]


@dataclass
class Cluster:
    url: str
    world: World
    base: str
    nodes: list[Node] = field(default_factory=list)
    sims: list[SimVehicle] = field(default_factory=list)
    spy: Spy = field(default_factory=Spy)

    async def node(self, name: str, **config: Any) -> Node:
        engine = make_engine(self.url)
        ledger = Ledger(engine, self.world)
        events: list[FleetEvent] = []
        remote: list[FleetEvent] = []

        async def collect(event: FleetEvent) -> None:
            events.append(event)

        async def relayed(event: FleetEvent) -> None:
            remote.append(event)

        settings = {"resend_s": 30.0, "leader_retry_s": 0.3, "leader_check_s": 0.3, **config}
        fleet = FleetService(engine, self.world, ledger, MOSQUITTO, collect, on_remote_event=relayed,
                             config=FleetConfig(base_topic=self.base, client_id=f"{name}-{uuid.uuid4().hex[:8]}",
                                                **settings))
        await fleet.start()
        await fleet.wait_connected()
        node = Node(name, engine, ledger, fleet, events, remote)
        self.nodes.append(node)
        return node

    async def sim(self, serial: str, config: SimConfig = FAST) -> SimVehicle:
        agv = next(a for a in self.world.agvs if a.serial == serial)
        vehicle = SimVehicle(agv, self.world.maps[0], BrokerAddress.from_url(MOSQUITTO), base=self.base,
                             config=config, client_id=f"sim-{serial}-{uuid.uuid4().hex[:6]}")
        await vehicle.start()
        await vehicle.wait_connected()
        self.sims.append(vehicle)
        return vehicle

    def transfer(self, ledger: Ledger) -> str:
        plan = ledger.plan_transfer("DG", "CS-1001", Decimal(5), "LINE-B", "A-01")
        return ledger.confirm_transfer(plan, device="HMD-01", worker="W01", turn_id="t-leader").id

    def stock(self, location: str) -> tuple[Decimal, Decimal]:
        ledger = self.nodes[0].ledger
        row = next((r for r in ledger.stock("DG", "CS-1001") if r.location == location), None)
        return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))

    def dispatchers(self) -> list[str]:
        return [n.name for n in self.nodes if n.fleet.leading]

    def lock_holder(self) -> int | None:
        """The server process holding the fleet's leader lock, if any."""
        with psycopg.connect(self.url.replace("+psycopg", ""), autocommit=True) as conn:
            row = conn.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                               "classid = %s::oid AND objid = %s::oid AND objsubid = 2",
                               (lock_namespace(self.base), LEADER)).fetchone()
        return int(row[0]) if row else None

    def terminate(self, pid: int) -> None:
        with psycopg.connect(self.url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def _listen(spy: Spy, base: str, ready: asyncio.Event) -> None:
    async with aiomqtt.Client("127.0.0.1", 1883, identifier=f"spy-{uuid.uuid4().hex[:8]}") as client:
        await client.subscribe(f"{base}/#", qos=0)
        ready.set()
        async for message in client.messages:
            kind = str(message.topic).rsplit("/", 1)[-1]
            if kind in ("order", "instantActions") and isinstance(message.payload, bytes | bytearray):
                spy.messages.append((kind, json.loads(message.payload)))


@asynccontextmanager
async def cluster(url: str) -> AsyncIterator[Cluster]:
    world = load_world()
    seed = make_engine(url)
    load_world_into(seed, world)
    seed.dispose()
    c = Cluster(url=url, world=world, base=f"test-{uuid.uuid4().hex[:10]}/uagv/v2")
    ready = asyncio.Event()
    spying = asyncio.create_task(_listen(c.spy, c.base, ready))
    await asyncio.wait_for(ready.wait(), 5)
    try:
        yield c
    finally:
        for vehicle in c.sims:
            await vehicle.stop()
        for node in c.nodes:
            await node.fleet.stop()
            node.engine.dispose()
        spying.cancel()
        await clear_retained(BrokerAddress.from_url(MOSQUITTO),
                             [topic_name(c.base, a.manufacturer, a.serial, Topic.connection) for a in world.agvs])


def _one_move(c: Cluster, doc_id: str) -> None:
    """One order, its horizon update, one pick and one drop: a resend of the same orderId/orderUpdateId is
    ignored by the vehicle, a second orderId would have been a second move."""
    assert {order for order, _ in c.spy.orders()} == {f"{doc_id}-1"}
    assert {update for _, update in c.spy.orders()} == {0, 1}
    assert c.stock("A-01") == (Decimal(35), Decimal(0)) and c.stock("LINE-B") == (Decimal(5), Decimal(0))


async def test_two_processes_elect_exactly_one_dispatcher(pg_url: str) -> None:
    async with cluster(pg_url) as c:
        first = await c.node("a")
        second = await c.node("b")
        assert c.dispatchers() == ["a"] and c.lock_holder() is not None
        await asyncio.sleep(1.0)  # several retries of the follower, heartbeats of the dispatcher: no change
        assert c.dispatchers() == ["a"]
        await c.sim("AGV-01")
        # the follower watches the vehicles too (its views, its headsets' maps)
        await wait_until(lambda: all(n.fleet.agvs()[0].available for n in (first, second)), what="AGV-01 seen")
        assert second.fleet.agvs()[0].last_node == "C1"


async def test_transfer_confirmed_on_the_follower_gets_exactly_one_order(pg_url: str) -> None:
    async with cluster(pg_url) as c:
        leader = await c.node("a")
        follower = await c.node("b")
        await c.sim("AGV-01")
        await c.sim("AGV-02")
        await wait_until(lambda: all(a.available for a in leader.fleet.agvs()), what="both AGVs available")
        doc_id = c.transfer(follower.ledger)
        view = await follower.fleet.dispatch_transfer(doc_id, "t-leader")
        # handed over and assigned by the dispatcher within the handover: the turn can say which AGV comes
        assert view.status is LinkStatus.assigned and view.serial == "AGV-01" and view.order_id == f"{doc_id}-1"
        again = await follower.fleet.dispatch_transfer(doc_id)  # confirmed twice: still the one order
        assert again.order_id == view.order_id
        await wait_until(lambda: follower.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        await wait_until(lambda: len(follower.remote) == 4, what="the events relayed to the follower")
        assert c.spy.orders() == [(f"{doc_id}-1", 0), (f"{doc_id}-1", 1)]  # each sent once
        _one_move(c, doc_id)
        kinds = ["agv_arrived", "agv_picked", "agv_arrived", "agv_dropped"]
        assert [e.kind for e in leader.events] == kinds and [e.kind for e in follower.remote] == kinds
        assert follower.events == [] and leader.remote == []  # emitted once, by the dispatcher
        assert follower.fleet.order(doc_id).status is LinkStatus.done  # type: ignore[union-attr]


async def test_transfer_handed_over_with_no_agv_waits_with_a_reason(pg_url: str) -> None:
    async with cluster(pg_url) as c:
        leader = await c.node("a")
        follower = await c.node("b")
        doc_id = c.transfer(follower.ledger)
        view = await follower.fleet.dispatch_transfer(doc_id)
        assert view.status is LinkStatus.waiting and view.reason is not None and view.reason.value == "no_agv"
        await wait_until(lambda: [e.kind for e in follower.remote] == ["transfer_waiting"], what="waiting notice")
        assert [e.kind for e in leader.events] == ["transfer_waiting"]
        await c.sim("AGV-02")
        await wait_until(lambda: follower.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        _one_move(c, doc_id)


async def test_cancel_through_the_follower_is_sent_by_the_dispatcher(pg_url: str) -> None:
    async with cluster(pg_url) as c:
        leader = await c.node("a")
        follower = await c.node("b")
        vehicle = await c.sim("AGV-01", DRIVE)
        await wait_until(lambda: leader.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = c.transfer(leader.ledger)
        await leader.fleet.dispatch_transfer(doc_id)
        await wait_until(lambda: vehicle.driving, what="driving")
        view = await follower.fleet.cancel(doc_id)
        assert view.status is LinkStatus.cancelled
        assert follower.ledger.document(doc_id).status is DocStatus.cancelled
        await wait_until(lambda: any(a["actionType"] == "cancelOrder" and a["actionStatus"] == "FINISHED"
                                     for a in vehicle.actions.values()), what="cancelOrder finished")
        assert c.spy.actions() == ["cancelOrder"] and not vehicle.nodes
        assert c.stock("A-01") == (Decimal(40), Decimal(0))
        await wait_until(lambda: follower.fleet.agvs()[0].available, what="AGV-01 free again")


async def test_lock_connection_lost_mid_order_the_other_takes_over(pg_url: str) -> None:
    async with cluster(pg_url) as c:
        first = await c.node("a")
        second = await c.node("b")
        vehicle = await c.sim("AGV-01", DRIVE)
        await wait_until(lambda: first.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = c.transfer(first.ledger)
        assert (await first.fleet.dispatch_transfer(doc_id)).serial == "AGV-01"
        await wait_until(lambda: vehicle.driving, what="driving to the rack")
        holder = c.lock_holder()
        assert holder is not None
        lost = time.monotonic()
        c.terminate(holder)  # the dispatcher's lock connection is gone: so is its leadership
        await wait_until(lambda: not first.fleet.leading, timeout=2.0, what="the old dispatcher stops")
        await wait_until(lambda: c.dispatchers() == ["b"], timeout=TAKEOVER_S, what="the other takes over")
        assert time.monotonic() - lost < TAKEOVER_S
        await wait_until(lambda: second.ledger.document(doc_id).status is DocStatus.done, timeout=20,
                         what="transfer done")
        _one_move(c, doc_id)
        assert c.dispatchers() == ["b"]  # the old one reconnected as a follower
        await wait_until(lambda: "agv_dropped" in [e.kind for e in first.remote],
                         what="the old dispatcher hears the new one's events")


async def test_dispatcher_process_killed_mid_order_the_other_finishes_it(pg_url: str, tmp_path: Path) -> None:
    async with cluster(pg_url) as c:
        log_file = (tmp_path / "dispatcher.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "tests.fleet.dispatcher_proc", pg_url, c.base], cwd=REPO,
                                stdout=log_file, stderr=subprocess.STDOUT)
        try:
            await wait_until(lambda: c.lock_holder() is not None, timeout=30, what="the process dispatches")
            follower = await c.node("b")
            assert not follower.fleet.leading
            vehicle = await c.sim("AGV-01", DRIVE)
            await wait_until(lambda: follower.fleet.agvs()[0].available, what="AGV-01 available")
            doc_id = c.transfer(follower.ledger)
            view = await follower.fleet.dispatch_transfer(doc_id)
            assert view.status is LinkStatus.assigned and view.serial == "AGV-01"  # by the other process
            await wait_until(lambda: vehicle.driving, what="driving to the rack")
            proc.send_signal(signal.SIGKILL)  # no goodbye: its MQTT and PostgreSQL connections just drop
            proc.wait(5)
            killed = time.monotonic()
            await wait_until(lambda: follower.fleet.leading, timeout=TAKEOVER_S, what="the follower takes over")
            assert time.monotonic() - killed < TAKEOVER_S
            await wait_until(lambda: follower.ledger.document(doc_id).status is DocStatus.done, timeout=20,
                             what="transfer done")
            _one_move(c, doc_id)
            # the events after the takeover are the new dispatcher's own
            await wait_until(lambda: "agv_dropped" in [e.kind for e in follower.events], what="dropped event")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            log_file.close()


async def test_a_fresh_dispatcher_finishes_an_order_picked_while_none_ran(pg_url: str) -> None:
    async with cluster(pg_url) as c:
        first = await c.node("a")
        vehicle = await c.sim("AGV-01", DRIVE)
        await wait_until(lambda: first.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = c.transfer(first.ledger)
        await first.fleet.dispatch_transfer(doc_id)
        await wait_until(lambda: vehicle.driving, what="driving to the rack")
        await first.fleet.stop()  # the only dispatcher goes; the vehicle drives on alone
        await wait_until(lambda: any(a["actionType"] == "pick" and a["actionStatus"] == "FINISHED"
                                     for a in vehicle.actions.values()), timeout=15, what="picked alone")
        await asyncio.sleep(0.5)
        assert vehicle.nodes and not vehicle.driving  # at the rack: the way on is not released yet
        assert first.ledger.document(doc_id).status is DocStatus.confirmed  # no one booked the pick
        # A new process knows nothing of the vehicle (VDA 5050 state is not retained): it rebuilds from the
        # database and the vehicle's next state, books the pick and releases the way on.
        second = await c.node("b")
        assert second.fleet.leading
        await wait_until(lambda: second.ledger.document(doc_id).status is DocStatus.done, timeout=20,
                         what="transfer done")
        _one_move(c, doc_id)


async def test_a_wait_for_the_write_lock_cancelled_leaves_it_free(pg_url: str) -> None:
    engine = make_engine(pg_url)
    one, other = (PgCoordinator(engine, namespace=lock_namespace("t"), dispatch="never", retry_s=0.3,
                                check_s=0.3, origin=name) for name in ("one", "other"))

    async def change() -> None:
        async with other.exclusive():
            raise AssertionError("never entered: cancelled while waiting")

    try:
        async with one.exclusive():
            waiting = asyncio.create_task(change())
            await asyncio.sleep(0.3)  # its thread waits for the lock
            waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # the thread got the lock after all, and gave it back: the next change does not wait
        async with asyncio.timeout(3), one.exclusive() as leading:
            assert not leading
    finally:
        engine.dispose()


async def test_one_process_on_sqlite_dispatches(tmp_path: Path) -> None:
    async with harness("embedded", tmp_path) as h:
        assert h.fleet.leading
        await h.sim("AGV-01")
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = h.transfer()
        assert (await h.fleet.dispatch_transfer(doc_id)).status is LinkStatus.assigned


async def test_dispatch_never_only_hands_transfers_over(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    upgrade(url)
    engine = make_engine(url)
    world = load_world()
    load_world_into(engine, world)
    ledger = Ledger(engine, world)
    async with EmbeddedBroker() as broker:
        fleet = FleetService(engine, world, ledger, broker.url,
                             config=FleetConfig(dispatch="never", handover_s=0.2, client_id="never"))
        await fleet.start()
        try:
            assert not fleet.leading
            plan = ledger.plan_transfer("DG", "CS-1001", Decimal(5), "LINE-B", "A-01")
            doc_id = ledger.confirm_transfer(plan, device="HMD-01", worker="W01", turn_id="t").id
            view = await fleet.dispatch_transfer(doc_id)
            # stored for a dispatcher elsewhere, which has not looked at it: no reason yet, nothing sent
            assert view.status is LinkStatus.waiting and view.reason is None and view.serial is None
        finally:
            await fleet.stop()
            engine.dispose()


def test_dispatch_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.settings import Settings

    monkeypatch.setenv("FRONTLINE_FLEET__DISPATCH", "never")
    assert Settings(_env_file=None).fleet.dispatch == "never"  # type: ignore[call-arg]
    monkeypatch.setenv("FRONTLINE_FLEET__DISPATCH", "always")
    with pytest.raises(ValueError, match="dispatch"):
        Settings(_env_file=None)  # type: ignore[call-arg]
