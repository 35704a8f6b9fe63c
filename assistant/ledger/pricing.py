"""Sales prices: an item's price is quoted per `price_per` unit (jin = 500 g, cake = 357 g, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from assistant.world.schema import Item, World

CENT = Decimal("0.01")


def unit_factor(world: World, item: Item, unit_code: str) -> Decimal | None:
    """How many base units of `item` one `unit_code` is; None when the units do not convert."""
    if unit_code == item.unit:
        return Decimal(1)
    unit = world.unit(unit_code)
    if unit.per_item:
        return Decimal(item.box_size) if item.box_size and unit.base == item.unit else None
    if unit.base == item.unit and unit.factor:
        return unit.factor
    return None


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_of(world: World, item: Item, qty_base: Decimal) -> Decimal | None:
    """The price of `qty_base` base units, rounded to 0.01; None for unpriced items."""
    if item.price is None or item.price_per is None:
        return None
    factor = unit_factor(world, item, item.price_per)
    if factor is None:
        return None
    return money(item.price * qty_base / factor)


def split_total(world: World, item: Item, total: Decimal | None, qtys: Sequence[Decimal]) -> list[Decimal | None]:
    """Share a line total over its source legs; the last leg takes the rounding remainder so the
    document lines always add up to the total that was read back."""
    if total is None:
        return [None] * len(qtys)
    shares: list[Decimal | None] = []
    rest = total
    for qty in qtys[:-1]:
        share = price_of(world, item, qty) or Decimal(0)
        shares.append(share)
        rest -= share
    return [*shares, rest]
