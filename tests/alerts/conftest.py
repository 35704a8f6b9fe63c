"""Alert fixtures: the ledger's (every test on SQLite and on PostgreSQL, re-seeded per test), with the alert tables
emptied too, and a consumer routing to two named targets."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assistant.alerts import AlertConsumer, AlertStore, forget_alerts
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from tests.alerts.helpers import Named
from tests.ledger.conftest import db_url, engine, pg_url  # noqa: F401 - fixtures shared with the ledger tests

ROUTES = [Named("dg-wecom", {"DG"}), Named("fz-dingtalk", {"FZ"}), Named("push")]


@pytest.fixture
def ledger(engine: Engine, world: World) -> Ledger:  # noqa: F811
    """The demo world freshly seeded (as the ledger tests do), and no alert left from a previous test."""
    forget_alerts(engine)
    load_world_into(engine, world)
    return Ledger(engine, world)


@pytest.fixture
def consumer(ledger: Ledger, engine: Engine, world: World) -> AlertConsumer:  # noqa: F811
    return AlertConsumer(engine, world, ROUTES)


@pytest.fixture
def store(ledger: Ledger, engine: Engine, world: World) -> AlertStore:  # noqa: F811
    return AlertStore(engine, world)
