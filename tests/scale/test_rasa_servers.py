"""Several Rasa servers, without Rasa: the lock store each one is configured with (no password on disk), and the
app's client sending each conversation to one server by a hash of its device, the next one when that one refuses
the connection, never twice to two servers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml

from assistant.nlu.build import BuiltProject
from assistant.pipeline import TurnError
from assistant.pipeline.dialogue import DialogueClient, servers_for
from server.launch.rasa import LOCK_PASSWORD_ENV, DialogueStore, LockStore, RasaServer
from server.launch.stack import rasa_server
from server.settings import Settings

SERVERS = ("http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005")


def _server(tmp_path: Path, lock_store: LockStore | None) -> RasaServer:
    project = tmp_path / "project"
    project.mkdir()
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    return RasaServer(BuiltProject(project, "f" * 64), model, action_endpoint="http://127.0.0.1:8123/webhook",
                      rasa_bin=Path("/x/rasa"), log_file=tmp_path / "rasa.log", channel_secret="c" * 32,
                      action_secret="a" * 32, store=DialogueStore.from_url("postgresql://postgres@127.0.0.1/test"),
                      lock_store=lock_store)


def test_the_lock_store_is_written_without_its_password(tmp_path: Path) -> None:
    server = _server(tmp_path, LockStore.from_url("redis://:s3cret-pw@redis.plant:6380/2", "frontline-DG"))
    text = server.write_endpoints().read_text()
    assert yaml.safe_load(text)["lock_store"] == {
        "type": "components.lock_store.ConversationLockStore", "url": "redis.plant", "port": 6380, "db": 2,
        "key_prefix": "frontlineDG",
        "password": f"${{{LOCK_PASSWORD_ENV}}}"}
    assert "s3cret-pw" not in text and server._env[LOCK_PASSWORD_ENV] == "s3cret-pw"


def test_one_server_keeps_rasas_own_lock(tmp_path: Path) -> None:
    endpoints = yaml.safe_load(_server(tmp_path, None).write_endpoints().read_text())
    assert "lock_store" not in endpoints  # the one-box default, as before


def test_lock_store_urls() -> None:
    assert LockStore.from_url("redis://127.0.0.1") == LockStore("127.0.0.1", 6379, 1)
    tls = LockStore.from_url("rediss://rasa:pw@r.example:7000/0")
    assert (tls.use_ssl, tls.username, tls.password, tls.db) == (True, "rasa", "pw", 0)
    assert tls.endpoint()["use_ssl"] is True and tls.endpoint()["username"] == "rasa"
    with pytest.raises(ValueError, match="Redis URL"):
        LockStore.from_url("postgresql://db/x")


def test_settings_choose_the_servers_and_their_lock_store(tmp_path: Path) -> None:
    assert Settings(var_dir=tmp_path).effective_rasa_urls == ("http://127.0.0.1:5005",)
    settings = Settings(var_dir=tmp_path, secret="x", rasa_urls=SERVERS, rasa_lock_store_url="redis://127.0.0.1/1")
    assert settings.effective_rasa_urls == SERVERS
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    server = rasa_server(settings, BuiltProject(tmp_path, "f" * 64), model, port=5107)
    assert server.port == 5107 and server.lock_store == LockStore("127.0.0.1", 6379, 1)


def test_each_conversation_has_one_server_and_the_load_is_spread() -> None:
    devices = [f"HMD-{n:03}" for n in range(300)]
    first = {d: servers_for(d, SERVERS)[0] for d in devices}
    assert first == {d: servers_for(d, SERVERS)[0] for d in devices}  # stable
    assert min(Counter(first.values()).values()) > 60  # spread (an even share is 100)
    fewer = SERVERS[:2]  # rasa-3 gone: only its conversations move
    assert all(servers_for(d, fewer)[0] == s for d, s in first.items() if s != SERVERS[2])
    assert servers_for("HMD-01", ("http://only:5005",)) == ["http://only:5005"]


class _Servers:
    """Rasa servers behind a mock transport: some refuse connections, one may time out."""

    def __init__(self, down: set[str], slow: set[str] | None = None) -> None:
        self.down, self.slow = down, slow or set()
        self.took: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        server = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if server in self.down:
            raise httpx.ConnectError("refused", request=request)
        if server in self.slow:
            raise httpx.ReadTimeout("slow", request=request)
        self.took.append((server, request.url.path))
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json={"model_file": "m.tar.gz", "model_id": "1"})
        if request.url.path.endswith("/parse"):
            return httpx.Response(200, json={"intent": {"name": "affirm", "confidence": 0.9}})
        return httpx.Response(200, json={"messages": [], "tracker": {"slots": {}}})


def _client(servers: _Servers) -> DialogueClient:
    http = httpx.AsyncClient(base_url=SERVERS[0], transport=httpx.MockTransport(servers))
    return DialogueClient(http, "secret", SERVERS)


async def test_a_conversation_goes_to_its_server_and_on_when_it_is_down() -> None:
    up = _Servers(down=set())
    await _client(up).exchange("HMD-01", "是", {}, {})
    await _client(up).parse("是", "HMD-01")
    own, second = servers_for("HMD-01", SERVERS)[:2]
    assert up.took == [(own, "/webhooks/frontline/webhook"), (own, "/webhooks/frontline/parse")]

    one_down = _Servers(down={own})
    await _client(one_down).exchange("HMD-01", "是", {}, {})
    assert one_down.took == [(second, "/webhooks/frontline/webhook")]

    all_down = _Servers(down=set(SERVERS))
    with pytest.raises(TurnError) as caught:
        await _client(all_down).exchange("HMD-01", "是", {}, {})
    assert caught.value.code == "nlu-unavailable"
    assert await _client(all_down).status() is None and await _client(all_down).state("HMD-01") is None


async def test_a_message_that_may_have_been_handled_is_not_sent_again() -> None:
    own = servers_for("HMD-01", SERVERS)[0]
    slow = _Servers(down=set(), slow={own})
    with pytest.raises(TurnError, match="nlu-unavailable"):
        await _client(slow).exchange("HMD-01", "是", {}, {})
    assert slow.took == []  # a timeout may mean Rasa handled it: another server would handle it twice


async def test_health_asks_until_one_server_has_its_model() -> None:
    servers = _Servers(down={SERVERS[0]})
    status = await _client(servers).status()
    assert status is not None and status["model_file"] == "m.tar.gz"
    assert servers.took == [(SERVERS[1], "/webhooks/frontline/status")]
