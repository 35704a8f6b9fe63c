"""Conversations survive a restart and stay short: the compacting SQL tracker store, run by Rasa's own code in its
environment, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from server.launch.rasa import forget_conversations
from tests.ledger.conftest import PG_ADMIN

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def _run(config: dict[str, object]) -> dict[str, object]:
    done = subprocess.run([str(RASA_PYTHON), str(Path(__file__).with_name("store_check.py")), str(ROOT / "nlu_data"),
                           json.dumps(config)], capture_output=True, text=True, timeout=300, check=False,
                          env={"SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false",
                               "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def _check(summary: dict[str, object]) -> None:
    # 60 turns of 4 events each were saved; a read gets the snapshot and the last turns only, state intact.
    assert isinstance(summary["events"], int) and summary["events"] <= 40 + 4
    assert summary["item"] == "CS-1001" and summary["amount"] == "59件" and summary["loop"] == "transfer_form"
    assert summary["last"] == "第59句"


def test_on_sqlite_and_a_demo_reset_forgets_it(tmp_path: Path) -> None:
    _check(_run({"dialect": "sqlite", "db": str(tmp_path / "dialogue.db")}))
    url = f"sqlite:///{tmp_path / 'dialogue.db'}"
    assert forget_conversations(url) > 60 * 4  # every turn's rows were kept, compaction only reads fewer
    assert forget_conversations(url) == 0
    assert forget_conversations(f"sqlite:///{tmp_path / 'never.db'}") == 0


@pytest.mark.postgres
def test_on_postgresql() -> None:
    name = f"frontline_dialogue_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _check(_run({"dialect": "postgresql", "url": "127.0.0.1", "port": 5432, "db": name, "username": "postgres"}))
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
