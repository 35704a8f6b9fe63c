"""Accounts, tax rates and opening costs are master data: the world file refuses what does not resolve."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from assistant.world.loader import DEMO_WORLD, load_world
from assistant.world.schema import AccountType, World


def test_the_demo_books(world: World) -> None:
    assert world.books is not None
    assert {a.code: a.type for a in world.books.accounts}.items() >= {
        "1122": AccountType.asset, "6001": AccountType.revenue, "22210102": AccountType.liability,
        "6401": AccountType.expense, "1405": AccountType.asset}.items()
    assert world.books.rate(None).rate == Decimal("0.13")
    assert all(line.unit_cost is not None and line.unit_cost >= 0 for line in world.stock)


def _broken(tmp_path: Path, change: str) -> Path:
    raw = yaml.safe_load(DEMO_WORLD.read_text(encoding="utf-8"))
    if change == "posting":
        raw["books"]["postings"]["revenue"] = "6002"
    elif change == "default":
        raw["books"]["default_tax"] = "VAT17"
    elif change == "item-rate":
        raw["items"][0]["tax"] = "VAT5"
    else:
        raw["stock"][0] = raw["stock"][0][:4]
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "message"), [
    ("posting", "unknown account 6002"), ("default", "unknown default tax rate VAT17"),
    ("item-rate", "unknown tax rate VAT5"), ("cost", "no unit cost for DG/A-01/CS-1001")])
def test_refused(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_world(_broken(tmp_path, change))


def test_a_world_without_books_needs_no_costs(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEMO_WORLD.read_text(encoding="utf-8"))
    del raw["books"]
    raw["stock"] = [row[:4] for row in raw["stock"]]
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_world(path).books is None
