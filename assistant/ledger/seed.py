"""Load a world's master data and opening stock into the ledger (used by `frontline demo reset`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import structlog
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from assistant.ledger import models
from assistant.ledger.states import DocType, MoveKind
from assistant.ledger.types import utcnow
from assistant.world.schema import World

log = structlog.get_logger(__name__)

# Children before parents, so foreign keys hold at every statement.
_CLEAR_ORDER: tuple[type[models.Base], ...] = (
    models.LedgerEvent, models.DocumentEvent, models.StockMove, models.DocumentLine, models.Document,
    models.DocumentCounter, models.Stock, models.SafetyStock, models.Agv, models.Worker, models.Device,
    models.Customer, models.Item, models.Location, models.Site, models.Unit,
)


def is_seeded(engine: Engine) -> bool:
    """Whether any master data is loaded (the app loads the world into an empty ledger on first start)."""
    with Session(engine) as session:
        return session.execute(select(models.Site.code).limit(1)).first() is not None


def load_world_into(engine: Engine, world: World) -> None:
    """Replace all master data and stock with the world's and forget every document, move and event.

    One transaction (a write transaction from its first statement on SQLite), so the app may keep
    running: its requests see either the old ledger or the new one."""
    with Session(engine) as session, session.begin():
        for model in _CLEAR_ORDER:
            session.execute(delete(model))
        # The unit of work does not order inserts by foreign keys between unrelated mappers:
        # flush each group, parents first.
        for group in _master_data(world):
            session.add_all(group)
            session.flush()
        now = utcnow()
        for (site, location, item), qty in _opening(world).items():
            session.add(models.Stock(site=site, location=location, item=item, on_hand=qty, reserved=Decimal(0)))
            session.add(models.StockMove(ts=now, kind=str(MoveKind.opening), site=site, item=item,
                                         to_location=location, qty=qty))
        session.add_all(models.DocumentCounter(doc_type=str(t), last_no=0) for t in DocType)
    log.info("ledger.seeded", sites=len(world.sites), items=len(world.items), stock_lines=len(world.stock))


def _opening(world: World) -> dict[tuple[str, str, str], Decimal]:
    """Opening balances by (site, location, item); repeated lines add up, zero lines are dropped."""
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in world.stock:
        totals[line.site, line.location, line.item] += line.quantity
    return {key: qty for key, qty in totals.items() if qty > 0}


def _master_data(world: World) -> list[list[models.Base]]:
    """Master data rows in groups; every group only references groups before it."""
    parents: list[models.Base] = [
        models.Unit(code=u.code, names=list(u.names), base=u.base, factor=u.factor, per_item=u.per_item)
        for u in world.units
    ]
    parents += [models.Site(code=s.code, name=s.name, name_en=s.name_en, map=s.map) for s in world.sites]
    parents += [models.Customer(code=c.code, name=c.name, phone=c.phone, aliases=list(c.aliases))
                for c in world.customers]
    parents += [models.Device(code=d.code, kind=str(d.kind)) for d in world.devices]
    children: list[models.Base] = [
        models.Location(code=loc.code, site=site.code, name=loc.name, aliases=list(loc.aliases),
                        kind=str(loc.kind), node=loc.node)
        for site in world.sites for loc in site.locations
    ]
    children += [models.Item(code=i.code, gtin=i.gtin, name=i.name, name_en=i.name_en, aliases=list(i.aliases),
                             unit=i.unit, box_size=i.box_size, price_per=i.price_per, price=i.price)
                 for i in world.items]
    children += [models.Worker(code=w.code, name=w.name, role=str(w.role), site=w.site, devices=list(w.devices),
                               language=w.language) for w in world.workers]
    children += [models.Agv(serial=a.serial, manufacturer=a.manufacturer, site=a.site, home=a.home,
                            payload_kg=a.payload_kg) for a in world.agvs]
    grandchildren: list[models.Base] = [
        models.SafetyStock(site=s.site, item=s.item, minimum=s.minimum) for s in world.safety_stock
    ]
    return [parents, children, grandchildren]
