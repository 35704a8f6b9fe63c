"""An item's available storage stock at a site: now, and replayed from its stock moves to find where it crossed the
minimum between two passes of the consumer.

"Available storage stock" is the ledger's own figure (`Ledger.available_total`): on hand minus reserved at the
site's rack, store and shelf locations. Each stock move changes it by (the delta semantics of `StockMove`):
  opening / transfer / sale: +qty if `to_location` is storage, -qty if `from_location` is storage;
  reserve: -qty if `from_location` is storage; release: +qty if it is.

A ledger transaction writes an item's moves together while it holds the item's stock row locks, so an item's moves
are in commit order by id, and a run of consecutive moves of one document is one transaction (or two of the same
document with nothing of this item in between, whose middle state is never a recovery: reserving comes first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.ledger import models as ledger
from assistant.ledger.allocation import STORAGE_KINDS
from assistant.ledger.states import MoveKind
from assistant.world.schema import World

ZERO = Decimal(0)
QTY_PLACES = Decimal("0.001")
_MOVES_GOODS = (str(MoveKind.opening), str(MoveKind.transfer), str(MoveKind.sale))


def storage_locations(world: World, site: str) -> frozenset[str]:
    """The site's locations whose stock counts against safety stock (rack, store, shelf)."""
    return frozenset(loc.code for s in world.sites if s.code == site for loc in s.locations
                     if loc.kind in STORAGE_KINDS)


@dataclass(frozen=True)
class Move:
    id: int
    ts: dt.datetime
    document: str | None
    turn_id: str | None
    kind: str
    from_location: str | None
    to_location: str | None
    qty: Decimal

    def delta(self, storage: Collection[str]) -> Decimal:
        """How much this move changes the available storage stock."""
        into = self.qty if self.to_location in storage else ZERO
        out = self.qty if self.from_location in storage else ZERO
        if self.kind in _MOVES_GOODS:
            return into - out
        if self.kind == MoveKind.reserve:
            return -out
        if self.kind == MoveKind.release:
            return out
        return ZERO


@dataclass(frozen=True)
class Level:
    """The available storage stock after the last stock move of (site, item) (`move_id` 0: none yet)."""

    move_id: int
    available: Decimal


@dataclass(frozen=True)
class Crossing:
    """The level crossed the minimum at the end of a transaction: `below` says in which direction."""

    below: bool
    move_id: int
    ts: dt.datetime
    document: str | None
    turn_id: str | None
    level: Decimal


def level_now(session: Session, site: str, item: str, storage: Collection[str]) -> Level:
    """The current level and the last move id, read in one statement (one snapshot on PostgreSQL)."""
    last = (select(func.max(ledger.StockMove.id))
            .where(ledger.StockMove.site == site, ledger.StockMove.item == item).scalar_subquery())
    available = (select(func.coalesce(func.sum(ledger.Stock.on_hand - ledger.Stock.reserved), 0))
                 .where(ledger.Stock.site == site, ledger.Stock.item == item,
                        ledger.Stock.location.in_(sorted(storage)))
                 .scalar_subquery())
    move_id, total = session.execute(select(last, available)).one()
    return Level(move_id=int(move_id or 0), available=_qty(total))


def moves_between(session: Session, site: str, item: str, after: int, upto: int) -> list[Move]:
    """The moves of (site, item) with after < id <= upto, in id order."""
    m = ledger.StockMove
    rows = session.execute(
        select(m.id, m.ts, m.document_id, m.turn_id, m.kind, m.from_location, m.to_location, m.qty)
        .where(m.site == site, m.item == item, m.id > after, m.id <= upto).order_by(m.id)
    ).all()
    return [Move(id=r[0], ts=r[1], document=r[2], turn_id=r[3], kind=r[4], from_location=r[5], to_location=r[6],
                 qty=_qty(r[7])) for r in rows]


def replay(level: Decimal, moves: Sequence[Move], storage: Collection[str],
           minimum: Decimal) -> tuple[list[Crossing], Decimal]:
    """Run the level forward over `moves`; a crossing each time it ends a transaction on the other side of the
    minimum than before (below: available < minimum). Returns the crossings and the final level."""
    below = level < minimum
    found: list[Crossing] = []
    for run in _transactions(moves):
        for move in run:
            level += move.delta(storage)
        if (level < minimum) != below:
            below = not below
            last = run[-1]
            found.append(Crossing(below=below, move_id=last.id, ts=last.ts, document=last.document,
                                  turn_id=last.turn_id, level=level))
    return found, level


def _transactions(moves: Sequence[Move]) -> Iterator[list[Move]]:
    for _, run in groupby(moves, key=lambda move: move.document):
        yield list(run)


def _qty(value: object) -> Decimal:
    """A quantity read back from either database (SQLite sums come back as float)."""
    return Decimal(str(value if value is not None else 0)).quantize(QTY_PLACES)
