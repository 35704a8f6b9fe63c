"""Books fixtures: the ledger's SQLite and PostgreSQL databases (tests/ledger/conftest.py), with the books posting in
every sale's confirmation."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assistant.books import Books, VoucherStore
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from tests.ledger.conftest import db_url, engine, pg_url

__all__ = ["db_url", "engine", "pg_url"]


@pytest.fixture
def books(engine: Engine, world: World) -> Books:
    return Books(engine, world)


@pytest.fixture
def ledger(engine: Engine, world: World, books: Books) -> Ledger:
    """The demo world, freshly seeded, its sales posting vouchers."""
    load_world_into(engine, world)
    return Ledger(engine, world, on_sale=books.on_sale, on_cancel_sale=books.on_cancel)


@pytest.fixture
def store(engine: Engine, world: World) -> VoucherStore:
    return VoucherStore(engine, world)
