"""The actions' dependencies over a freshly seeded SQLite ledger of the demo world."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.deps import ActionDeps
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData


@pytest.fixture
def deps(tmp_path: Path) -> ActionDeps:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    upgrade(url)
    engine = make_engine(url)
    world = load_world()
    load_world_into(engine, world)
    return ActionDeps(master=MasterData(world), ledger=Ledger(engine, world), timezone="Asia/Shanghai")
