"""Crash safety: the app (its own process, on SQLite, with the real Rasa) is killed with SIGKILL in the middle of a
stream of confirmations and started again. Every acknowledged document and its stock moves are intact, none twice,
every acknowledged turn is on the record, the stock equals the opening balances plus the moves, and the assistant
carries on."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from assistant.journal import TurnJournal
from assistant.ledger.db import make_engine
from assistant.ledger.service import Ledger
from assistant.world.loader import load_world
from server.launch import prepare_model, rasa_server
from server.settings import REPO_ROOT, Settings
from tests.dialogue.conftest import MOSQUITTO, SECRET
from tests.ledger.helpers import balances_from_moves, moves, stock_rows
from tests.support import free_port, issue

pytestmark = pytest.mark.rasa


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "FRONTLINE_VAR_DIR": str(settings.var_dir), "FRONTLINE_PORT": str(settings.port),
            "FRONTLINE_SECRET": SECRET, "FRONTLINE_RASA_URL": settings.rasa_url, "FRONTLINE_START_RASA": "false",
            "FRONTLINE_START_AGV_SIM": "false", "FRONTLINE_MQTT_URL": MOSQUITTO,
            "FRONTLINE_FLEET__BASE_TOPIC": settings.fleet.base_topic, "FRONTLINE_TURNS_PER_SECOND": "1000",
            "FRONTLINE_TURN_BURST": "1000", "FRONTLINE_DATABASE_URL": ""}


def _start(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    app = subprocess.Popen([sys.executable, "-m", "server", "run"], cwd=REPO_ROOT, env=_env(settings),
                           stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise AssertionError(f"the app exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{settings.port}/health", timeout=2, trust_env=False).status_code == 200:
                return app
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    app.kill()
    raise AssertionError(f"the app was not healthy in time: {log.read_text(errors='replace')[-3000:]}")


def _pair(client: httpx.Client, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    read_back = client.post("/api/v1/turns", json={"text": "调拨1件曲轴到总装线B区"}, headers=headers)
    assert read_back.status_code == 200 and read_back.json()["awaiting"] == "confirmation", read_back.text
    return client.post("/api/v1/turns", json={"text": "确认"}, headers=headers)


def test_sigkill_in_a_stream_of_confirmations_loses_nothing_acknowledged(tmp_path: Path) -> None:
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    settings = Settings(var_dir=tmp_path / "var", port=free_port(), secret=SECRET, database_url="",
                        rasa_url=f"http://127.0.0.1:{free_port()}", mqtt_url=MOSQUITTO, start_rasa=False,
                        fleet={"base_topic": f"frontline-crash-{uuid.uuid4().hex[:8]}/uagv/v2"})
    log = tmp_path / "app.log"
    acknowledged: list[tuple[str, str]] = []  # (document, the turn that confirmed it)
    with rasa_server(settings, built, model):
        app = _start(settings, log)
        try:
            token = issue(settings, "HMD-01")
            killer: threading.Timer | None = None
            with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=30, trust_env=False) as client:
                for _ in range(40):
                    if len(acknowledged) == 6 and killer is None:  # mid-stream: while the next pair is under way
                        killer = threading.Timer(random.uniform(0.0, 0.2), app.send_signal, (signal.SIGKILL,))
                        killer.start()
                    try:
                        confirmed = _pair(client, token)
                    except httpx.TransportError:
                        break
                    assert confirmed.status_code == 200, confirmed.text
                    body = confirmed.json()
                    acknowledged += [(d["id"], body["turn_id"]) for d in body["documents"] if d["type"] == "transfer"]
            assert app.wait(timeout=30) == -signal.SIGKILL
            app = _start(settings, log)  # the same database, the same conversations

            engine = make_engine(settings.effective_database_url)
            ledger, journal = Ledger(engine, load_world(settings.world_path)), TurnJournal(engine)
            assert len(acknowledged) >= 6 and len({doc for doc, _ in acknowledged}) == len(acknowledged)
            for doc_id, turn_id in acknowledged:
                document = ledger.document(doc_id)
                assert document.status == "confirmed" and document.turns == [turn_id]
                assert [(kind, qty) for kind, _src, _dst, qty in moves(engine, doc_id)] == [("reserve", Decimal(1))]
                record = journal.get(turn_id)
                assert record is not None and record.documents == (doc_id,) and record.result == "ok"
            assert stock_rows(engine) == balances_from_moves(engine)  # opening balances plus every move
            engine.dispose()
            with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=30, trust_env=False) as client:
                again = _pair(client, token)  # and it carries on
            assert again.status_code == 200 and again.json()["documents"][0]["status"] == "confirmed"
        finally:
            app.kill()
            app.wait(timeout=30)
