"""Direct reads of the ledger tables, independent of the service under test."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.ledger import models

Key = tuple[str, str, str]  # site, location, item


def d(value: str | int | Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"))


def stock_rows(engine: Engine) -> dict[Key, tuple[Decimal, Decimal]]:
    """(on_hand, reserved) for every stock row."""
    with Session(engine) as session:
        rows = session.scalars(select(models.Stock)).all()
        return {(r.site, r.location, r.item): (r.on_hand, r.reserved) for r in rows}


def balances_from_moves(engine: Engine) -> dict[Key, tuple[Decimal, Decimal]]:
    """Replay the move journal: the documented delta semantics of `models.StockMove`."""
    on_hand: dict[Key, Decimal] = defaultdict(Decimal)
    reserved: dict[Key, Decimal] = defaultdict(Decimal)
    with Session(engine) as session:
        for m in session.scalars(select(models.StockMove).order_by(models.StockMove.id)):
            if m.kind in ("opening", "transfer", "sale"):
                if m.from_location:
                    on_hand[m.site, m.from_location, m.item] -= m.qty
                if m.to_location:
                    on_hand[m.site, m.to_location, m.item] += m.qty
            elif m.kind == "reserve":
                assert m.from_location
                reserved[m.site, m.from_location, m.item] += m.qty
            elif m.kind == "release":
                assert m.from_location
                reserved[m.site, m.from_location, m.item] -= m.qty
    keys = set(on_hand) | set(reserved)
    return {k: (d(on_hand[k]), d(reserved[k])) for k in keys}


def count(engine: Engine, model: type[models.Base]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def moves(engine: Engine, document_id: str) -> list[tuple[str, str | None, str | None, Decimal]]:
    with Session(engine) as session:
        rows = session.scalars(select(models.StockMove).where(models.StockMove.document_id == document_id)
                               .order_by(models.StockMove.id)).all()
        return [(m.kind, m.from_location, m.to_location, m.qty) for m in rows]
