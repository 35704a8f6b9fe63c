"""`frontline serve --workers N`: several app processes only where they share what a device's turns need, and
processes starting together prepare the database once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from assistant.ledger.db import make_engine
from assistant.world.loader import load_world
from server.cli import app
from server.launch.stack import check_workers
from server.settings import Settings

SCALED = {"state_url": "redis://127.0.0.1:6379/0", "mqtt_url": "mqtt://127.0.0.1:1883",
          "database_url": "postgresql+psycopg://postgres@127.0.0.1/frontline"}


@pytest.mark.parametrize(("missing", "said"), [("state_url", "FRONTLINE_STATE_URL"), ("mqtt_url", "FRONTLINE_MQTT_URL"),
                                               ("database_url", "FRONTLINE_DATABASE_URL")])
def test_several_workers_need_shared_state_a_broker_and_postgresql(tmp_path: Path, missing: str, said: str) -> None:
    settings = Settings(var_dir=tmp_path, **{**SCALED, missing: ""})
    check_workers(settings, 1)  # one process: the one-box defaults are fine
    with pytest.raises(ValueError, match=said):
        check_workers(settings, 2)
    check_workers(Settings(var_dir=tmp_path, **SCALED), 4)


def test_the_command_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("FRONTLINE_STATE_URL", raising=False)
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2 and "FRONTLINE_STATE_URL" in result.output


@pytest.mark.postgres
def test_processes_starting_together_prepare_the_database_once(tmp_path: Path, database: str) -> None:
    """Two app processes starting at once on an empty PostgreSQL database: without the lock both create Alembic's
    table (one fails); with it one migrates and seeds, the other finds it done."""
    from server.services import _prepare_database

    settings = Settings(var_dir=tmp_path, database_url=database)
    world = load_world(settings.world_path)
    with ThreadPoolExecutor(2) as pool:
        prepared = list(pool.map(lambda _n: _prepare_database(settings, world), range(2)))
    for engine, _ledger in prepared:
        engine.dispose()
    engine = make_engine(database)
    try:
        with engine.connect() as connection:
            sites = connection.execute(text("SELECT count(*) FROM sites")).scalar_one()
        assert sites == len(world.sites)
    finally:
        engine.dispose()
