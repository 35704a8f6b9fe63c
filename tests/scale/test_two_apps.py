"""Two app processes behind one address, as scaled: two apps (each its own services, as two `frontline serve`
workers) on two ports, sharing PostgreSQL (ledger and Rasa's tracker store) and Redis (device state, pushes, Rasa's
lock store), with the real Rasa server. What a device did through one is known to the other: a transfer read back
by one is confirmed through the other, in the language of the words; a notice raised in one reaches a socket held
by the other; one device's turn rate is counted once across both."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from server.app import create_app
from server.launch import prepare_model, rasa_server
from server.settings import REPO_ROOT, Settings
from tests.dialogue.conftest import MOSQUITTO, doc_of
from tests.scale.conftest import REDIS_URL, App, forget_prefix, new_prefix
from tests.support import free_port, serve

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]

SECRET = "scale-tests-secret"


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[tuple[App, App]]:
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    ports, rasa_port = (free_port(), free_port()), free_port()
    prefix = new_prefix()
    # The same settings for both but their port and folder: one device token, one channel secret, one Redis prefix.
    # A generous turn rate but a small burst: the shared bucket is seen quickly, and these tests stay under it.
    base = Settings(var_dir=tmp_path_factory.mktemp("a"), port=ports[0], secret=SECRET, database_url=database,
                    rasa_url=f"http://127.0.0.1:{rasa_port}", mqtt_url=MOSQUITTO, start_agv_sim=False,
                    fleet={"base_topic": f"frontline-scale-{uuid.uuid4().hex[:8]}/uagv/v2"},
                    state_url=REDIS_URL, state_prefix=prefix, turn_burst=4, turns_per_second=0.01,
                    rasa_lock_store_url="redis://127.0.0.1:6379/1", action_url=f"http://127.0.0.1:{ports[0]}",
                    rasa_startup_timeout_s=600)
    other = base.model_copy(update={"var_dir": tmp_path_factory.mktemp("b"), "port": ports[1]})
    first_app, second_app = create_app(base), create_app(other)
    with serve(first_app, ports[0]) as first_url, serve(second_app, ports[1]) as second_url, \
            rasa_server(base, built, model) as rasa, \
            httpx.Client(base_url=first_url, timeout=60, trust_env=False) as first_client, \
            httpx.Client(base_url=second_url, timeout=60, trust_env=False) as second_client:
        assert rasa.lock_store is not None and "lock_store" in rasa.endpoints_path.read_text()
        tokens: dict[str, str] = {}  # one token works on both: one database
        yield (App(first_url, first_app, first_client, tokens, base),
               App(second_url, second_app, second_client, tokens, other))
    forget_prefix(prefix)


def _next(ws: ClientConnection, event: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=30))
        if message.get("event") == event:
            return message


def test_a_transfer_read_back_by_one_is_confirmed_through_the_other(apps: tuple[App, App]) -> None:
    one, two = apps
    read_back = one.said("HMD-02", "transfer five crankshafts to assembly line B")
    assert read_back["awaiting"] == "confirmation" and read_back["reply"]["language"] == "en", read_back["reply"]
    tapped = two.turn("HMD-02", {"action": "confirm"})  # a button: the language is the one the device last spoke
    assert tapped.status_code == 200, tapped.text
    done = tapped.json()
    document = doc_of(done)
    assert document["type"] == "transfer" and document["status"] == "confirmed"
    assert done["reply"]["language"] == "en" and done["awaiting"] is None
    again = one.turn("HMD-02", {"action": "confirm"}).json()  # nothing waits any more, on either
    assert all(d["type"] == "agv_order" for d in again["documents"]), again
    stock = one.client.get("/api/v1/stock", params={"item": "CS-1001"}, headers=one.headers("HMD-02")).json()
    assert sum(float(row["reserved"]) for row in stock) == 5.0


def test_a_notice_raised_in_one_reaches_a_socket_held_by_the_other(apps: tuple[App, App]) -> None:
    one, two = apps
    with two.events("PAD-DG") as supervisor, one.events("HMD-01") as requester:
        asked = one.said("HMD-01", "调拨200个螺栓到总装线A区")
        assert asked["awaiting"] == "confirmation" and "审批限额" in asked["reply"]["text"], asked["reply"]
        waiting = doc_of(two.said("HMD-01", "确认"))  # confirmed through the other app
        assert waiting["status"] == "awaiting_approval"
        # The action ran in the app Rasa calls (one); the supervisor's tablet is connected to the other.
        told = _next(supervisor, "approval-requested")
        assert told["doc_id"] == waiting["id"] and "王师傅" in told["text"]
        approved = two.client.post(f"/api/v1/documents/{waiting['id']}/approve", headers=two.headers("PAD-DG"))
        assert approved.status_code == 200 and approved.json()["status"] == "confirmed", approved.text
        heard = _next(requester, "approval-approved")  # decided through two, heard on a socket of one
        assert heard["doc_id"] == waiting["id"]


def test_one_devices_turn_rate_is_counted_once_across_both(apps: tuple[App, App]) -> None:
    one, two = apps
    # Empty words are refused after the rate is counted and before anything else: 422 while the burst lasts.
    statuses = [(one if n % 2 else two).turn("PAD-01", {"text": " "}).status_code for n in range(6)]
    assert statuses == [422] * 4 + [429] * 2, statuses
    refused = two.turn("PAD-01", {"text": " "})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert one.turn("PAD-02", {"text": " "}).status_code == 422  # another device has its own bucket


def test_health_is_ready_on_both(apps: tuple[App, App]) -> None:
    for app in apps:
        health = app.client.get("/health").json()
        assert health["status"] == "ok" and health["state"] == "ok"
