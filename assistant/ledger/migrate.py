"""Run the ledger's Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_PREPARE_LOCK = 0x46524F4E544C4E45  # a PostgreSQL advisory lock key of this app's own ("FRONTLNE")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url  # read by migrations/env.py; kept out of the ini (it may hold a password)
    return cfg


@contextmanager
def one_process_at_a_time(url: str) -> Iterator[None]:
    """Held while a process migrates and seeds the database: app processes starting together on one PostgreSQL
    database would otherwise both create Alembic's table and both load the world (a session advisory lock, freed
    with the connection if the process dies). SQLite serves one process: nothing to hold."""
    if make_url(url).get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PREPARE_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PREPARE_LOCK})
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """`alembic upgrade head` against `url`."""
    command.upgrade(alembic_config(url), revision)
