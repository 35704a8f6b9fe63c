"""The moving-average cost per site and item, kept in `item_costs` inside the caller's transaction.

Incoming goods with a cost (the opening stock, a receipt) move the average; goods leaving (a sale) take it and leave
it as it was; transfers inside a site neither read nor change it (the average is per site)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.books.models import ItemCost
from assistant.books.money import COST_PLACES, moving_average
from assistant.ledger.locking import insert_missing
from assistant.world.schema import World

ZERO = Decimal(0)


def opening_cost(world: World, site: str, item: str) -> tuple[Decimal, Decimal]:
    """(quantity, unit cost) of the world's opening stock of `item` at `site` (lines with different costs averaged)."""
    lines = [s for s in world.stock if s.site == site and s.item == item and s.quantity > 0]
    qty = sum((s.quantity for s in lines), ZERO)
    if qty <= 0:
        return ZERO, ZERO
    value = sum((s.quantity * (s.unit_cost or ZERO) for s in lines), ZERO)
    return qty, (value / qty).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def lock_cost(session: Session, world: World, site: str, item: str) -> ItemCost:
    """The item's cost row at the site, locked; created from the opening stock at its first use after a reset."""
    qty, unit_cost = opening_cost(world, site, item)
    insert_missing(session, ItemCost.__table__,  # type: ignore[arg-type]
                   [{"site": site, "item": item, "qty": qty, "unit_cost": unit_cost}])
    return session.scalars(select(ItemCost).where(ItemCost.site == site, ItemCost.item == item)
                           .with_for_update().execution_options(populate_existing=True)).one()


def receive(session: Session, world: World, site: str, item: str, qty: Decimal, unit_cost: Decimal) -> Decimal:
    """`qty` arrive at `unit_cost`: the new average (returned) and quantity."""
    row = lock_cost(session, world, site, item)
    row.unit_cost = moving_average(row.qty, row.unit_cost, qty, unit_cost)
    row.qty += qty
    return row.unit_cost


def issue(session: Session, world: World, site: str, item: str, qty: Decimal) -> Decimal:
    """`qty` leave at the average cost (returned); the average stays."""
    row = lock_cost(session, world, site, item)
    row.qty -= qty
    return row.unit_cost
