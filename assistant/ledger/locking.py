"""Row locking and id issuing inside a write transaction.

Lock order, the same everywhere so concurrent transactions cannot deadlock on PostgreSQL:
document row -> customer row (a sale checked against a credit limit) -> stock rows by (site, item, location)
-> document counter.
On SQLite FOR UPDATE is not rendered; BEGIN IMMEDIATE (see db.py) already serialises writers."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.ledger import models
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.states import ID_PREFIX, DocType

StockKey = tuple[str, str]  # (item, location) within one site


def insert_missing(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: rows that must exist before they are locked."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    session.execute(ins.on_conflict_do_nothing(), rows)


def lock_document(session: Session, doc_id: str) -> models.Document:
    doc = session.scalars(
        select(models.Document).where(models.Document.id == doc_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if doc is None:
        raise DocumentNotFound(doc_id)
    return doc


def lock_customer(session: Session, code: str) -> None:
    """Lock a customer's row: its credit is read and spent by one confirmation at a time."""
    session.execute(select(models.Customer.code).where(models.Customer.code == code).with_for_update())


def lock_stock(
    session: Session, site: str, items: Iterable[str], ensure: Iterable[StockKey] = ()
) -> dict[StockKey, models.Stock]:
    """Lock every stock row of `items` at `site` (in a stable order) and return them by (item, location).

    Locking all of an item's rows, not only the planned sources, lets a confirmation re-plan under the
    lock. `ensure` creates empty rows first (e.g. a transfer's destination) so they are locked too."""
    missing = sorted(set(ensure))
    insert_missing(session, models.Stock.__table__,  # type: ignore[arg-type]
                   [{"site": site, "item": item, "location": loc, "on_hand": Decimal(0), "reserved": Decimal(0)}
                    for item, loc in missing])
    rows = session.scalars(
        select(models.Stock)
        .where(models.Stock.site == site, models.Stock.item.in_(sorted(set(items))))
        .order_by(models.Stock.item, models.Stock.location)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {(row.item, row.location): row for row in rows}


def next_document_id(session: Session, doc_type: DocType) -> str:
    """Gap-free numbering per type ("TR-000001"); the counter row is locked by the UPDATE."""
    insert_missing(session, models.DocumentCounter.__table__,  # type: ignore[arg-type]
                   [{"doc_type": str(doc_type), "last_no": 0}])
    number = session.execute(
        update(models.DocumentCounter)
        .where(models.DocumentCounter.doc_type == str(doc_type))
        .values(last_no=models.DocumentCounter.last_no + 1)
        .returning(models.DocumentCounter.last_no),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    return f"{ID_PREFIX[doc_type]}-{number:06d}"
