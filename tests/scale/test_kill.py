"""The scale-out proof (issue 15): real processes on loopback — two `frontline serve` apps, two `frontline nlu
serve` Rasa servers and the AGV simulator, on one fresh PostgreSQL database, Redis under a prefix of its own and
the machine's Mosquitto under a topic base of its own — take interleaved turns of four devices sent to both apps (a
command read back by one is confirmed through the other). Mid-run one Rasa server and one app (the fleet's
dispatcher) are killed with SIGKILL; a client whose turn died with its app sends it again to the other, as a load
balancer would. At the end every document is there exactly once, every conversation went on, the pushes reached the
sockets held by the surviving app, and the surviving app took over the fleet: the transfers' AGV orders went out once
each and were carried out.

The Rasa servers call the actions through a failover proxy standing in for the load balancer (FRONTLINE_ACTION_URL),
so an action never depends on which app is alive.

Two recognition workers (the speech and vision pool on Redis Streams) serve both apps: a voice turn is heard through
the pool, one worker is killed, and the next voice turn is heard by the other."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from assistant.fleet.broker import BrokerAddress, clear_retained
from assistant.fleet.leadership import lock_namespace
from assistant.fleet.pg_coordinator import LEADER
from assistant.fleet.topics import topic_name
from assistant.fleet.validation import Topic
from assistant.pipeline.dialogue import servers_for
from assistant.world.loader import load_world
from server.launch import prepare_model
from server.settings import REPO_ROOT, Settings
from tests.dialogue.conftest import MOSQUITTO
from tests.ledger.conftest import PG_ADMIN
from tests.scale.conftest import REDIS_URL, forget_prefix, new_prefix
from tests.scale.processes import (
    FRONTLINE,
    FailoverProxy,
    Proc,
    Processes,
    app_command,
    health,
    rasa_command,
    rasa_ready,
    rasa_urls_env,
    rasa_var_dir,
    server_port,
    simulator_command,
    wait_ready,
)
from tests.support import BackgroundLoop, issue

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]

SECRET = "kill-test-secret"
VOICE = REPO_ROOT / "tests" / "fixtures" / "voice"
RECOGNITION_WORKERS = 2  # `frontline recognition-worker` processes, on the same Redis under the test's prefix
RECOGNITION_COMMAND = [*FRONTLINE, "recognition-worker"]


def recognition_env(prefix: str) -> dict[str, str]:
    """The pool's queue, for the apps and the workers alike."""
    return {"FRONTLINE_RECOGNITION_URL": REDIS_URL, "FRONTLINE_RECOGNITION_PREFIX": prefix}


def recognition_workers(app: App) -> int | None:
    """The live recognition workers the app sees (its /health)."""
    try:
        answer = httpx.get(f"{app.url}/health", timeout=5, trust_env=False).json()
    except (httpx.HTTPError, ValueError):
        return None
    count = answer.get("recognition_workers")
    return count if isinstance(count, int) else None


@dataclass
class App:
    name: str
    proc: Proc

    @property
    def url(self) -> str:
        assert self.proc.url is not None
        return self.proc.url


@dataclass
class Cluster:
    procs: Processes
    apps: list[App]  # apps[0] is started first: the fleet's dispatcher, and the one killed
    rasa: list[Proc]
    recognition: list[Proc]
    database: str
    base_topic: str
    prefix: str  # of the device state in Redis
    tokens: dict[str, str] = field(default_factory=dict)
    retried: list[tuple[str, str]] = field(default_factory=list)  # (device, words) sent again to the other app

    def token(self, device: str) -> str:
        if device not in self.tokens:
            self.tokens[device] = issue(Settings(database_url=self.database, secret=SECRET), device)
        return self.tokens[device]

    def headers(self, device: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(device)}"}

    def post_turn(self, app: App, device: str, **request: Any) -> httpx.Response:
        return httpx.post(f"{app.url}/api/v1/turns", headers=self.headers(device), timeout=180, trust_env=False,
                          **request)

    def turn(self, via: App, device: str, **request: Any) -> dict[str, Any]:
        """A turn sent to `via`; if that app's process died under it (or before it), the same turn again to another
        app that is alive, as a load balancer would. Returns the answer."""
        try:
            response = self.post_turn(via, device, **request)
        except httpx.TransportError:
            if via.proc.alive:
                time.sleep(1.0)  # a kill under way: let it finish before deciding
            if via.proc.alive:
                raise
            other = next(app for app in self.apps if app is not via and app.proc.alive)
            self.retried.append((device, str(request.get("json", {}).get("text", request.get("json")))))
            response = self.post_turn(other, device, **request)
        assert response.status_code == 200, f"{device} {request}: {response.status_code} {response.text}"
        answer: dict[str, Any] = response.json()
        return answer

    def said(self, via: App, device: str, text: str) -> dict[str, Any]:
        return self.turn(via, device, json={"text": text})

    def round(self, steps: list[tuple[App, str, str]]) -> dict[str, dict[str, Any]]:
        """One turn of each device at once (devices' turns interleave across both apps); answers by device."""
        with ThreadPoolExecutor(len(steps)) as pool:
            futures = {device: pool.submit(self.said, app, device, text) for app, device, text in steps}
            return {device: future.result() for device, future in futures.items()}

    def wait_turn_held(self, device: str, answered: Callable[[], bool], timeout_s: float = 60) -> bool:
        """Until an app holds `device`'s turn lock (True), or the turn was answered first (False)."""
        client = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline and not answered():
                if client.exists(f"{self.prefix}:device:{device}:turn"):
                    return True
                time.sleep(0.002)
            return False
        finally:
            client.close()

    def leader_backend(self) -> int | None:
        """The PostgreSQL backend holding the fleet's leader lock (the dispatcher's lock connection)."""
        with psycopg.connect(self.database.replace("+psycopg", ""), autocommit=True) as conn:
            row = conn.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                               "classid = %s::oid AND objid = %s::oid AND objsubid = 2",
                               (lock_namespace(self.base_topic), LEADER)).fetchone()
        return int(row[0]) if row else None

    def documents(self) -> list[tuple[str, str, str, str, str, Decimal]]:
        """(id, device, type, status, item, quantity) of every document line in the database."""
        with psycopg.connect(self.database.replace("+psycopg", ""), autocommit=True) as conn:
            rows = conn.execute("SELECT d.id, d.device, d.type, d.status, l.item, l.qty_base FROM documents d "
                                "JOIN document_lines l ON l.document_id = d.id ORDER BY d.id, l.line_no").fetchall()
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), Decimal(r[5])) for r in rows]

    def status(self, doc_id: str) -> str:
        return next(status for id_, _d, _t, status, _i, _q in self.documents() if id_ == doc_id)


class Socket:
    """A device's /ws/events socket on one app, read in a thread: every message kept."""

    def __init__(self, app: App, token: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self._ws = connect(app.url.replace("http://", "ws://") + f"/ws/events?token={token}", open_timeout=30)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                self.messages.append(json.loads(self._ws.recv()))
        except (ConnectionClosed, OSError):
            return

    def events(self, doc_id: str) -> list[str]:
        return [m.get("event", "") for m in list(self.messages) if m.get("doc_id") == doc_id]

    def close(self) -> None:
        self._ws.close()
        self._thread.join(5)


class OrderSpy:
    """Every VDA 5050 order published under the test's topic base (what reaches the simulator)."""

    def __init__(self, base: str) -> None:
        self.orders: list[tuple[str, int]] = []
        self._base = base

    async def listen(self, ready: asyncio.Event) -> None:
        import aiomqtt

        async with aiomqtt.Client("127.0.0.1", 1883, identifier=f"spy-{uuid.uuid4().hex[:8]}") as client:
            await client.subscribe(f"{self._base}/#", qos=0)
            ready.set()
            async for message in client.messages:
                if str(message.topic).endswith("/order") and isinstance(message.payload, bytes | bytearray):
                    order = json.loads(message.payload)
                    self.orders.append((order["orderId"], order["orderUpdateId"]))

    async def start(self) -> asyncio.Task[None]:
        """Listening (in the running loop) once subscribed."""
        ready = asyncio.Event()
        task = asyncio.create_task(self.listen(ready))
        await asyncio.wait_for(ready.wait(), 10)
        return task

    @staticmethod
    async def stop(task: asyncio.Task[None]) -> None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    def order_ids(self, doc_id: str) -> set[str]:
        return {order for order, _update in list(self.orders) if order.startswith(f"{doc_id}-")}


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.2)


def _doc(answer: dict[str, Any], device: str) -> dict[str, Any]:
    documents = [d for d in answer["documents"] if d["type"] != "agv_order"]
    assert len(documents) == 1, f"{device}: {answer['reply']} {answer['documents']}"
    document: dict[str, Any] = documents[0]
    return document


def _read_back(answer: dict[str, Any], device: str) -> None:
    assert answer["awaiting"] == "confirmation", f"{device}: {answer['reply']}"


@pytest.fixture
def cluster(tmp_path: Path, database: str) -> Iterator[Cluster]:
    prepare_model(Settings(var_dir=REPO_ROOT / "var"))  # the shared model, trained once per fingerprint
    prefix, base = new_prefix(), f"frontline-kill-{uuid.uuid4().hex[:8]}/uagv/v2"
    app_ports, rasa_ports = [server_port(), server_port()], [server_port(), server_port()]
    rasa_urls = [f"http://127.0.0.1:{p}" for p in rasa_ports]
    shared = {
        "FRONTLINE_SECRET": SECRET, "FRONTLINE_HOST": "127.0.0.1", "FRONTLINE_DATABASE_URL": database,
        "FRONTLINE_STATE_URL": REDIS_URL, "FRONTLINE_STATE_PREFIX": prefix,
        "FRONTLINE_RASA_URLS": rasa_urls_env(rasa_urls), "FRONTLINE_RASA_LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
        "FRONTLINE_MQTT_URL": MOSQUITTO, "FRONTLINE_FLEET__BASE_TOPIC": base,
        "FRONTLINE_START_AGV_SIM": "false", "FRONTLINE_START_RASA": "false",
        # tests talk faster than people; a busy 2-core box answers slowly
        "FRONTLINE_TURNS_PER_SECOND": "1000", "FRONTLINE_TURN_BURST": "1000", "FRONTLINE_RASA_TIMEOUT_S": "120",
        # the turn lock of a device whose app died mid-turn is free again after 15 s (its retry waits for it)
        "FRONTLINE_TURN_LOCK_TTL_S": "15", "FRONTLINE_TURN_LOCK_WAIT_S": "60",
        "FRONTLINE_FLEET__LEADER_RETRY_S": "0.5", "FRONTLINE_FLEET__LEADER_CHECK_S": "0.5",
        "FRONTLINE_FLEET__RESEND_S": "1.0",
        "FRONTLINE_RASA_STARTUP_TIMEOUT_S": "600", "TICKET_LOCK_LIFETIME": "20",
    }
    started = time.monotonic()
    with Processes(tmp_path / "logs") as procs, FailoverProxy(app_ports) as balancer:
        shared["FRONTLINE_ACTION_URL"] = balancer.url  # the Rasa servers call the actions through it
        # Both Rasa servers load in parallel (30-90 s each on a busy box), while the rest starts.
        rasa = procs.start_many("rasa", lambda i: rasa_command(rasa_ports[i]), 2,
                                env=lambda i: {**shared, "FRONTLINE_VAR_DIR": str(rasa_var_dir(tmp_path / f"rasa{i}"))},
                                url=lambda i: rasa_urls[i])
        shared.update(recognition_env(prefix))
        recognition = procs.start_many("recognition", lambda _i: RECOGNITION_COMMAND, RECOGNITION_WORKERS,
                                       env=lambda i: {**shared, "FRONTLINE_VAR_DIR": str(tmp_path / f"rec{i}")})
        app_env = dict(shared)

        def start_app(i: int) -> App:
            proc = procs.start(f"app-{i}", app_command(), {**app_env, "FRONTLINE_PORT": str(app_ports[i]),
                                                           "FRONTLINE_VAR_DIR": str(tmp_path / f"app{i}")},
                               url=f"http://127.0.0.1:{app_ports[i]}")
            wait_ready([proc], lambda p: health(p, ready=False), timeout_s=300, what="answering /health")
            return App(f"app-{i}", proc)

        c = Cluster(procs, [], rasa, recognition, database, base, prefix)
        first = start_app(0)  # migrates and seeds the database, and becomes the dispatcher
        wait_for(lambda: c.leader_backend() is not None, 60, "the first app to lead the fleet")
        c.apps = [first, start_app(1)]
        procs.start("agv-sim", simulator_command(MOSQUITTO, base))
        secret = Settings(secret=SECRET).rasa_channel_secret()
        wait_ready(rasa, lambda p: rasa_ready(p, secret), timeout_s=600, what="Rasa with its model loaded")
        wait_ready([a.proc for a in c.apps], health, timeout_s=120, what="ready (database, Rasa, Redis)")
        print(f"\nprocesses ready after {time.monotonic() - started:.0f} s (logs: {procs.log_dir})", flush=True)
        try:
            yield c
        finally:
            procs.close()  # the simulator first: it would publish its connection again
            world = load_world()
            topics = [topic_name(base, a.manufacturer, a.serial, Topic.connection) for a in world.agvs]
            asyncio.run(clear_retained(BrokerAddress.from_url(MOSQUITTO), topics))
            forget_prefix(prefix)


@pytest.mark.timeout(600)
def test_killing_an_app_and_a_rasa_server_mid_run_loses_nothing(cluster: Cluster) -> None:
    try:
        _scenario(cluster)
    except BaseException:
        print(f"\nturns sent again after their app died: {cluster.retried}")
        print(f"\n===== logs of the processes =====\n{cluster.procs.logs()}", flush=True)
        raise


def _scenario(c: Cluster) -> None:
    doomed, survivor = c.apps  # the first app leads the fleet; it is the one killed
    spy = OrderSpy(c.base_topic)
    began = time.monotonic()

    def phase(name: str) -> None:  # where the time goes, for the runtime budget
        print(f"[{time.monotonic() - began:6.1f} s] {name}", flush=True)

    loop = BackgroundLoop()
    listening: asyncio.Task[None] = loop.run(spy.start())
    # Sockets held by the app that survives: the requesters' headsets and the supervisor's tablet.
    sockets = {device: Socket(survivor, c.token(device)) for device in ("HMD-01", "HMD-02", "PAD-DG")}
    try:
        phase("read-backs")
        # 1. Four devices at once, read-backs on both apps.
        answers = c.round([(doomed, "HMD-01", "调拨5件曲轴到总装线B区"),
                           (survivor, "HMD-02", "transfer five crankshafts to assembly line B"),
                           (doomed, "PAD-01", "张三买两斤铁观音"),
                           (survivor, "PAD-02", "李四买三斤龙井")])
        for device, answer in answers.items():
            _read_back(answer, device)
        phase("confirms across apps")
        # 2. Each confirmed through the other app.
        answers = c.round([(survivor, "HMD-01", "确认"), (doomed, "HMD-02", "confirm"),
                           (survivor, "PAD-01", "确认"), (doomed, "PAD-02", "确认")])
        first = {device: _doc(answer, device) for device, answer in answers.items()}
        assert {d["status"] for d in first.values()} == {"confirmed"}, first
        phase("new commands")
        # 3. New commands: a transfer over the approval limit, a transfer to confirm after the kills, two sales.
        answers = c.round([(survivor, "HMD-01", "调拨200个螺栓到总装线A区"),
                           (doomed, "HMD-02", "调拨10个活塞到总装线A区"),
                           (doomed, "PAD-01", "王五买两斤铁观音"), (survivor, "PAD-02", "赵六买一斤红茶")])
        for device, answer in answers.items():
            _read_back(answer, device)
        asked = _doc(c.said(doomed, "HMD-01", "确认"), "HMD-01")  # waits for the supervisor, whose tablet is on B
        assert asked["status"] == "awaiting_approval", asked

        phase("Rasa server killed")
        # 4. Kill HMD-02's Rasa server while idle: the app sends its next turns to the other, which has its
        # conversation from the shared tracker store.
        own = servers_for("HMD-02", tuple(p.url or "" for p in c.rasa))[0]
        next(p for p in c.rasa if p.url == own).kill()

        phase("app killed")
        # 5. Kill the dispatcher's app mid-round, with turns in flight to it: those are sent again to the other.
        leader = c.leader_backend()
        assert leader is not None
        with ThreadPoolExecutor(2) as pool:
            confirming = pool.submit(c.said, doomed, "PAD-01", "确认")
            other = pool.submit(c.said, survivor, "PAD-02", "确认")
            # Killed while it holds PAD-01's turn (the device's turn lock in Redis): the client sends the turn again
            # to the other app, which waits for the dead one's lock to expire (FRONTLINE_TURN_LOCK_TTL_S).
            held = c.wait_turn_held("PAD-01", confirming.done)
            doomed.proc.kill()
            answers = {"PAD-01": confirming.result(), "PAD-02": other.result()}
        print(f"PAD-01's confirmation {'in flight' if held else 'answered'} when its app was killed")
        # A turn sent to the dead app is refused at once and goes to the other.
        assert c.said(doomed, "HMD-01", "连杆还有多少")["documents"] == []
        assert ("HMD-01", "连杆还有多少") in c.retried, c.retried
        wait_for(lambda: c.leader_backend() not in (None, leader), 30, "the surviving app to lead the fleet")

        # Recognition: both workers serve; one is killed; the next voice turn is heard by the other.
        wait_for(lambda: recognition_workers(survivor) == RECOGNITION_WORKERS, 300, "both recognition workers")
        recording = (VOICE / "zh01.wav").read_bytes()
        for worker in (None, c.recognition[0]):
            if worker is not None:
                worker.kill()
                wait_for(lambda: recognition_workers(survivor) == RECOGNITION_WORKERS - 1, 30,
                         "the pool to see a worker gone")
            voice = c.turn(survivor, "HMD-01", files={"audio": ("zh01.wav", recording, "audio/wav")})
            _read_back(voice, "HMD-01")  # "调拨五件曲轴到总装二线", heard and read back
            assert c.said(survivor, "HMD-01", "取消")["documents"] == []

        phase("after the kills")
        # 6. After the kills, on the app left: the transfer read back by the dead app is confirmed; confirming it
        # again writes nothing; the supervisor approves the waiting transfer.
        late = _doc(c.said(survivor, "HMD-02", "确认"), "HMD-02")
        assert late["status"] == "confirmed" and late["lines"][0]["item"] == "PS-2001", late
        again = c.said(survivor, "HMD-02", "确认")
        assert [d for d in again["documents"] if d["type"] != "agv_order"] == [], again
        approved = httpx.post(f"{survivor.url}/api/v1/documents/{asked['id']}/approve", headers=c.headers("PAD-DG"),
                              timeout=60, trust_env=False)
        assert approved.status_code == 200 and approved.json()["status"] == "confirmed", approved.text

        phase("documents")
        # Every document exactly once, as each device asked.
        lines = c.documents()
        kept = Counter((device, kind, item, qty) for _id, device, kind, _s, item, qty in lines)
        assert kept == Counter({("HMD-01", "transfer", "CS-1001", Decimal(5)): 1,
                                ("HMD-01", "transfer", "BT-M8", Decimal(200)): 1,
                                ("HMD-02", "transfer", "CS-1001", Decimal(5)): 1,
                                ("HMD-02", "transfer", "PS-2001", Decimal(10)): 1,
                                ("PAD-01", "sales_order", "TEA-TGY", Decimal(1000)): 2,
                                ("PAD-02", "sales_order", "TEA-LJ", Decimal(1500)): 1,
                                ("PAD-02", "sales_order", "TEA-HC", Decimal(500)): 1}), lines
        assert len({doc_id for doc_id, *_rest in lines}) == 8

        phase("fleet")
        # The fleet: the transfers confirmed before the kill (dispatched by the app killed, perhaps mid-order) and
        # the one confirmed after it (by the app left) are carried out, each with exactly one AGV order.
        transfers = [first["HMD-01"]["id"], first["HMD-02"]["id"], late["id"]]
        for doc_id in transfers:
            wait_for(partial(lambda d: c.status(d) == "done", doc_id), 150, f"transfer {doc_id} carried out")
            assert spy.order_ids(doc_id) == {f"{doc_id}-1"}, (doc_id, spy.orders)
        orders = httpx.get(f"{survivor.url}/api/v1/agv/orders", headers=c.headers("HMD-02"), timeout=30,
                           trust_env=False).json()
        assert {o["transfer"]: o["status"] for o in orders if o["transfer"] in transfers} == \
            dict.fromkeys(transfers, "done"), orders

        phase("pushes")
        # Pushes: the sockets held by the app left heard the news of documents confirmed through the other.
        requested = sockets["PAD-DG"].events(asked["id"])
        assert "approval-requested" in requested, sockets["PAD-DG"].messages
        wait_for(lambda: "approval-approved" in sockets["HMD-01"].events(asked["id"]), 30, "approval news")
        # AGV news of the transfers dispatched before the kill (an event of the moment the dispatcher died may be
        # lost with it: at least one of each reached the socket), and the whole of the one dispatched after it.
        for device, doc_id in (("HMD-01", first["HMD-01"]["id"]), ("HMD-02", first["HMD-02"]["id"])):
            assert any(e.startswith("agv_") for e in sockets[device].events(doc_id)), sockets[device].messages
        wait_for(lambda: "agv_dropped" in sockets["HMD-02"].events(late["id"]), 30, f"{late['id']} dropped news")
        phase("done")
        print(f"turns sent again after their app died: {c.retried}")
    finally:
        for sock in sockets.values():
            sock.close()
        loop.run(spy.stop(listening))
        loop.close()


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test alone (the module's is the scale-out proof's, with its documents and dispatcher)."""
    name = f"frontline_kill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.timeout(600)
def test_a_confirmation_written_by_an_app_that_died_before_answering_is_not_written_again(
        tmp_path: Path, own_database: str) -> None:
    """The window the scale-out proof can only hit by chance, held open: the action confirming a transfer runs in an
    app that writes the document and then waits for the fleet's dispatcher (none here: `dispatch = never`, a long
    hand-over), and the app is killed in that wait. Rasa loses the action's events (the read-back stays pending in
    the tracker); the device, unanswered, confirms again through the other app. The document carries its
    read-back's key (unique): the second confirmation finds it and answers with it, nothing is written twice."""
    prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    prefix = new_prefix()
    app_ports, rasa_port = [server_port(), server_port()], server_port()
    env = {
        "FRONTLINE_SECRET": SECRET, "FRONTLINE_HOST": "127.0.0.1", "FRONTLINE_DATABASE_URL": own_database,
        "FRONTLINE_STATE_URL": REDIS_URL, "FRONTLINE_STATE_PREFIX": prefix,
        "FRONTLINE_RASA_URLS": rasa_urls_env([f"http://127.0.0.1:{rasa_port}"]),
        "FRONTLINE_RASA_LOCK_STORE_URL": "redis://127.0.0.1:6379/1", "FRONTLINE_MQTT_URL": MOSQUITTO,
        "FRONTLINE_FLEET__BASE_TOPIC": f"frontline-kill-{uuid.uuid4().hex[:8]}/uagv/v2",
        "FRONTLINE_FLEET__DISPATCH": "never", "FRONTLINE_FLEET__HANDOVER_S": "8",
        "FRONTLINE_TURNS_PER_SECOND": "1000", "FRONTLINE_TURN_BURST": "1000", "FRONTLINE_RASA_TIMEOUT_S": "120",
        "FRONTLINE_TURN_LOCK_TTL_S": "15", "FRONTLINE_TURN_LOCK_WAIT_S": "60",
        "FRONTLINE_RASA_STARTUP_TIMEOUT_S": "600", "TICKET_LOCK_LIFETIME": "20",
    }
    # The actions go to the first app while it lives, then to the other (a primary and its standby).
    with Processes(tmp_path / "logs") as procs, FailoverProxy(app_ports, in_order=True) as balancer:
        env["FRONTLINE_ACTION_URL"] = balancer.url
        rasa = procs.start("rasa", rasa_command(rasa_port), {**env, "FRONTLINE_VAR_DIR": str(rasa_var_dir(
            tmp_path / "rasa"))}, url=f"http://127.0.0.1:{rasa_port}")
        apps = []
        for i, port in enumerate(app_ports):
            proc = procs.start(f"app-{i}", app_command(), {**env, "FRONTLINE_PORT": str(port),
                                                           "FRONTLINE_VAR_DIR": str(tmp_path / f"app{i}")},
                               url=f"http://127.0.0.1:{port}")
            wait_ready([proc], lambda p: health(p, ready=False), timeout_s=300, what="answering /health")
            apps.append(App(f"app-{i}", proc))
        wait_ready([rasa], lambda p: rasa_ready(p, Settings(secret=SECRET).rasa_channel_secret()), timeout_s=600,
                   what="Rasa with its model loaded")
        wait_ready([a.proc for a in apps], health, timeout_s=120, what="ready")
        c = Cluster(procs, apps, [rasa], [], own_database, env["FRONTLINE_FLEET__BASE_TOPIC"], prefix)
        try:
            doomed, other = apps
            _read_back(c.said(doomed, "HMD-01", "调拨5件曲轴到总装线B区"), "HMD-01")
            with ThreadPoolExecutor(1) as pool:
                confirming = pool.submit(c.post_turn, doomed, "HMD-01", json={"text": "确认"})
                wait_for(lambda: len(c.documents()) == 1, 60, "the transfer written")  # then the hand-over wait
                doomed.proc.kill()
                with pytest.raises(httpx.TransportError):
                    confirming.result()
            again = c.post_turn(other, "HMD-01", json={"text": "确认"})  # unanswered: the device confirms again
            assert again.status_code == 200, again.text
            transfers = [line for line in c.documents() if line[1] == "HMD-01"]
            assert len(transfers) == 1, f"{transfers}; answered {again.json()['reply']}"
            (doc_id, *_rest), = transfers
            assert doc_id in again.json()["reply"]["text"], again.json()  # answered with the transfer written
        except BaseException:
            print(f"\n===== logs of the processes =====\n{procs.logs()}", flush=True)
            raise
        finally:
            forget_prefix(prefix)
