"""Two real Rasa servers sharing the tracker store (PostgreSQL) and a Redis lock store, as scaled: a conversation
begun on one goes on on the other; messages of one conversation sent to both at once are handled one at a time (its
events are those of the messages in turn, none lost or doubled); and when a device's Rasa server dies mid-run, the
app sends its next turn to the other, which knows the conversation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from assistant.pipeline.dialogue import servers_for
from server.app import create_app
from server.launch import prepare_model, rasa_server
from server.launch.rasa import RasaServer
from server.settings import REPO_ROOT, Settings
from tests.dialogue.conftest import MOSQUITTO, doc_of
from tests.scale.conftest import REDIS_URL, App, forget_prefix, new_prefix
from tests.support import free_port, serve

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]

SECRET = "rasa-pair-secret"


@dataclass
class Pair:
    rasa: tuple[RasaServer, RasaServer]
    first: App  # talks to the first Rasa server only
    second: App  # talks to the second only
    both: App  # given both: each device's conversation on one, the other when that one is down
    settings: Settings

    def events(self, server: RasaServer, sender: str) -> int:
        response = httpx.get(f"{server.url}/webhooks/frontline/conversation/{sender}", headers=server.headers,
                             timeout=10, trust_env=False)
        response.raise_for_status()
        count: int = response.json()["events"]
        return count


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Pair]:
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    app_ports, rasa_ports = [free_port() for _ in range(3)], (free_port(), free_port())
    urls = tuple(f"http://127.0.0.1:{p}" for p in rasa_ports)
    base = Settings(var_dir=tmp_path_factory.mktemp("pair"), port=app_ports[0], secret=SECRET, database_url=database,
                    rasa_urls=urls, mqtt_url=MOSQUITTO, start_agv_sim=False,
                    fleet={"base_topic": f"frontline-pair-{uuid.uuid4().hex[:8]}/uagv/v2"},
                    state_url=REDIS_URL, state_prefix=(prefix := new_prefix()), turns_per_second=1000, turn_burst=1000,
                    rasa_lock_store_url="redis://127.0.0.1:6379/1", action_url=f"http://127.0.0.1:{app_ports[0]}",
                    rasa_startup_timeout_s=600)
    settings = [base.model_copy(update={"port": port, "rasa_urls": chosen,
                                        "var_dir": tmp_path_factory.mktemp(f"app{port}")})
                for port, chosen in zip(app_ports, (urls, urls[:1], urls[1:]), strict=True)]
    apps = [create_app(s) for s in settings]
    with serve(apps[0], app_ports[0]) as both_url, serve(apps[1], app_ports[1]) as first_url, \
            serve(apps[2], app_ports[2]) as second_url, \
            rasa_server(base, built, model, port=rasa_ports[0]) as one, \
            rasa_server(base, built, model, port=rasa_ports[1]) as two, \
            httpx.Client(base_url=both_url, timeout=60, trust_env=False) as both_client, \
            httpx.Client(base_url=first_url, timeout=60, trust_env=False) as first_client, \
            httpx.Client(base_url=second_url, timeout=60, trust_env=False) as second_client:
        tokens: dict[str, str] = {}
        yield Pair((one, two), App(first_url, apps[1], first_client, tokens, settings[1]),
                   App(second_url, apps[2], second_client, tokens, settings[2]),
                   App(both_url, apps[0], both_client, tokens, settings[0]), base)
    forget_prefix(prefix)


def test_a_conversation_begun_on_one_rasa_server_goes_on_on_the_other(pair: Pair) -> None:
    read_back = pair.first.said("HMD-01", "调拨5件曲轴到总装线B区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    done = pair.second.said("HMD-01", "确认")  # the other Rasa server reads the read-back from the tracker store
    document = doc_of(done)
    assert document["type"] == "transfer" and document["status"] == "confirmed"


def test_messages_of_one_conversation_sent_to_both_servers_at_once_are_taken_in_turn(pair: Pair) -> None:
    one, two = pair.rasa
    sender = f"PAD-{uuid.uuid4().hex[:6]}"  # straight to Rasa, past the app's own per-device lock

    async def send(server: RasaServer, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{server.url}/webhooks/frontline/webhook", headers=server.headers,
                                     json={"sender": sender, "message": "/greet", "metadata": {}})
        response.raise_for_status()

    async def run(servers: list[RasaServer]) -> None:
        async with httpx.AsyncClient(timeout=120, trust_env=False) as client:
            await asyncio.gather(*(send(server, client) for server in servers))

    asyncio.run(run([one]))
    after_one = pair.events(two, sender)
    asyncio.run(run([two]))
    per_message = pair.events(one, sender) - after_one
    assert per_message > 0
    asyncio.run(run([one, two] * 2))  # four at once, two on each server
    assert pair.events(one, sender) == pair.events(two, sender) == after_one + 5 * per_message


def test_when_a_devices_rasa_server_dies_its_next_turn_goes_to_the_other(pair: Pair) -> None:
    device = "HMD-02"
    own = servers_for(device, pair.settings.effective_rasa_urls)[0]
    read_back = pair.both.said(device, "调拨5件曲轴到总装线B区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    dying = next(server for server in pair.rasa if server.url == own)
    dying.stop()  # last test of the module: the server stays down
    done = pair.both.said(device, "确认")
    assert doc_of(done)["status"] == "confirmed"
    assert pair.both.client.get("/health").json()["nlu"] == "ok"  # the other still answers
