"""Ledger fixtures: every test runs on SQLite (a temp file) and on PostgreSQL (one throwaway database per
test session, re-seeded per test). Set FRONTLINE_TEST_PG_ADMIN to point at another server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.schema import World

PG_ADMIN = os.environ.get("FRONTLINE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"frontline_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        # PostgreSQL runs on every development and CI machine: its absence is a failure, not a skip.
        pytest.fail(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty-or-stale database URL (seed it before use)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    url = f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'var' / 'frontline.db'}"
    upgrade(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def ledger(engine: Engine, world: World) -> Ledger:
    """The demo world, freshly seeded (seeding clears everything a previous test left behind)."""
    load_world_into(engine, world)
    return Ledger(engine, world)
