"""Revision 0009 and the alert models agree, on SQLite and PostgreSQL, and the way back works."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from assistant.alerts import AlertsBase
from assistant.ledger.migrate import alembic_config, upgrade

MINE = set(AlertsBase.metadata.tables)


def _mine(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Only the alert tables and what hangs on them (other revisions' tables have their own checks)."""
    if type_ == "table":
        return name in MINE
    table = getattr(obj, "table", None)
    return table is None or table.name in MINE


def test_models_and_migration_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _mine})
        assert compare_metadata(context, AlertsBase.metadata) == []
    indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("stock_alerts")}
    assert indexes["uq_stock_alerts_open_site_item"]["unique"]


def test_downgrade_and_upgrade_again(db_url: str, engine: Engine) -> None:
    command.downgrade(alembic_config(db_url), "0008")
    try:
        assert not MINE & set(inspect(engine).get_table_names())
    finally:
        upgrade(db_url)
    assert set(inspect(engine).get_table_names()) >= MINE
