"""Engine setup, migrations and seeding."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, text

from assistant.fleet.store import FleetBase
from assistant.ledger import models
from assistant.ledger.db import make_engine, read_only
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from tests.ledger.helpers import balances_from_moves, count, d, stock_rows


def test_models_and_migration_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, [models.Base.metadata, FleetBase.metadata]) == []


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
