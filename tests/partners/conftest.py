"""Partner push fixtures: the ledger's (every test on SQLite and on PostgreSQL, re-seeded per test; a reseed
deletes the documents, and the partner tables with them by cascade)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from tests.ledger.conftest import db_url, engine, pg_url  # noqa: F401 - fixtures shared with the ledger tests


@pytest.fixture
def ledger(engine: Engine, world: World) -> Ledger:  # noqa: F811
    load_world_into(engine, world)
    return Ledger(engine, world)
