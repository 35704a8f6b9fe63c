"""Engine setup, migrations and seeding."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, text

from assistant.access.tokens import AccessBase
from assistant.alerts.models import AlertsBase
from assistant.books.models import BooksBase
from assistant.contracts.models import ContractsBase
from assistant.fleet.store import FleetBase
from assistant.journal import JournalBase
from assistant.journal.channels import ChannelBase
from assistant.ledger import models
from assistant.ledger.db import make_engine, read_only
from assistant.ledger.migrate import alembic_config, upgrade
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.partners.models import PartnersBase
from assistant.world.schema import World
from tests.ledger.conftest import PG_ADMIN
from tests.ledger.helpers import balances_from_moves, count, d, stock_rows

METADATA = [models.Base.metadata, FleetBase.metadata, AccessBase.metadata, JournalBase.metadata, AlertsBase.metadata,
            ChannelBase.metadata, BooksBase.metadata, PartnersBase.metadata, ContractsBase.metadata]


def test_models_and_migration_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, METADATA) == []


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_no_catalogue_text_is_stored_for_the_fleet(engine: Engine) -> None:
    """The fleet keeps a reason code and the vehicle's own error detail; the words are rendered when shown."""
    columns = _columns(engine, "fleet_transfers")
    assert {"reason", "detail", "picked", "serial"} <= columns
    assert not {c for c in columns if c.startswith("message")}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (migrated step by step by the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    name = f"frontline_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_drops_the_stored_messages_and_keeps_the_agv_error_detail(blank_url: str) -> None:
    upgrade(blank_url, "0003")
    engine = make_engine(blank_url)
    now = dt.datetime.now(dt.UTC)
    row = {"site": "DG", "status": "waiting", "order_update_id": 0, "attempt": 1, "picked": True,
           "sources": "[]", "destination": "LINE-B", "created_at": now, "updated_at": now}
    try:
        with engine.begin() as conn:
            insert = text("INSERT INTO fleet_transfers (doc_id, site, status, order_update_id, attempt, picked, "
                          "sources, destination, reason, message_zh, message_en, created_at, updated_at) VALUES "
                          "(:doc_id, :site, :status, :order_update_id, :attempt, :picked, :sources, :destination, "
                          ":reason, :message_zh, :message_en, :created_at, :updated_at)")
            conn.execute(insert, {**row, "doc_id": "TR-000001", "reason": "agv_error",
                                  "message_zh": "小车AGV-01报告故障（driveError (FATAL): blocked）…",
                                  "message_en": "AGV-01 reported an error (driveError (FATAL): blocked); transfer "
                                                "TR-000001 is waiting again. The goods are on AGV-01; a supervisor "
                                                "should check."})
            conn.execute(insert, {**row, "doc_id": "TR-000002", "reason": "no_agv", "message_zh": "暂无可用小车…",
                                  "message_en": "No AGV is available; transfer TR-000002 is waiting for one."})
        upgrade(blank_url)
        assert not {"message_zh", "message_en"} & _columns(engine, "fleet_transfers")
        with engine.connect() as conn:
            details = dict(conn.execute(text("SELECT doc_id, detail FROM fleet_transfers")).all())
        assert details == {"TR-000001": "driveError (FATAL): blocked", "TR-000002": None}
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, METADATA) == []
        command.downgrade(alembic_config(blank_url), "0003")  # the way back works, the texts come back empty
        assert {"message_zh", "message_en"} <= _columns(engine, "fleet_transfers")
        assert "detail" not in _columns(engine, "fleet_transfers")
    finally:
        engine.dispose()


def test_sqlite_engine_settings(tmp_path: Path) -> None:
    path = tmp_path / "var" / "sub" / "ledger.db"
    engine = make_engine(f"sqlite:///{path}")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        with read_only(engine).begin() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert path.parent.is_dir()
    assert statements[0] == "BEGIN IMMEDIATE"  # the write lock is taken before the first read
    assert "BEGIN" in statements and statements.index("BEGIN") > 0  # reads begin deferred


def test_unsupported_backend() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://localhost/x")


def test_seed_demo_world(ledger: Ledger, engine: Engine) -> None:
    rows = stock_rows(engine)
    assert rows["DG", "A-01", "CS-1001"] == (d(40), d(0))
    assert rows["FZ", "BACK", "TEA-PE"] == (d(17850), d(0))
    assert balances_from_moves(engine) == rows  # opening moves explain every balance
    assert [s.available for s in ledger.stock("DG", "CS-1001")] == [d(40), d(4)]
    assert ledger.available_total("DG", "CS-1001") == d(40)  # the 4 on line A are in use


def test_reseed_forgets_documents(ledger: Ledger, engine: Engine, world: World) -> None:
    plan = ledger.plan_transfer("DG", "CS-1001", d(30), "LINE-B")
    ledger.confirm_transfer(plan, device="HMD-01", worker="W01", turn_id="t1")
    assert count(engine, models.Document) == 1
    load_world_into(engine, world)
    assert count(engine, models.Document) == count(engine, models.LedgerEvent) == 0
    assert count(engine, models.StockMove) == len(world.stock)
    assert stock_rows(engine)["DG", "A-01", "CS-1001"] == (d(40), d(0))
    again = ledger.confirm_transfer(ledger.plan_transfer("DG", "CS-1001", d(1), "LINE-B"),
                                    device="HMD-01", worker="W01", turn_id="t2")
    assert again.id == "TR-000001"  # numbering restarts


def test_stock_moves_are_append_only(ledger: Ledger, engine: Engine) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        move = session.scalars(select(models.StockMove).limit(1)).one()
        move.qty += 1
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()
