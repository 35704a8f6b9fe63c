"""Run the ledger's Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url  # read by migrations/env.py; kept out of the ini (it may hold a password)
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """`alembic upgrade head` against `url`."""
    command.upgrade(alembic_config(url), revision)
