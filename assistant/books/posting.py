"""Posting: a confirmed sale's vouchers, written in the confirmation's own transaction (the ledger's `on_sale` hook).

In this product a confirmed sale is handed over from the shelf at once (its stock leaves at confirmation; `done`
only marks it paid), so its two document events — sale and delivery — are booked together at confirmation. Each
is posted at most once per document: `post_sale` skips an event already posted and the unique constraint on
(document, event) backs it. A confirmed sale cancelled (its goods back on the shelf) posts each of its vouchers again
in red (红字冲销), in the cancellation's transaction; the goods come back into the average at the cost they left at."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import structlog
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.books import costing
from assistant.books.drafts import (
    Draft,
    DraftLine,
    SoldLine,
    check_balanced,
    delivery_draft,
    reversal_draft,
    sale_draft,
)
from assistant.books.errors import VoucherVariance
from assistant.books.models import Voucher, VoucherCounter, VoucherEvent, VoucherLine
from assistant.books.money import variance
from assistant.ledger import models as ledger
from assistant.ledger.locking import insert_missing, lock_document
from assistant.ledger.states import DocStatus, DocType
from assistant.ledger.types import utcnow
from assistant.world.schema import Books as BooksData
from assistant.world.schema import World

log = structlog.get_logger(__name__)


class Books:
    def __init__(self, engine: Engine, world: World) -> None:
        if world.books is None:
            raise ValueError("the world has no books (accounts and tax rates)")
        self._world = world
        self._data: BooksData = world.books
        self._items = {i.code: i for i in world.items}
        self._write = sessionmaker(engine, expire_on_commit=False)

    # --- the ledger's hook ---------------------------------------------------------------------------------

    def on_sale(self, session: Session, doc: ledger.Document, agreed_total: Decimal | None) -> None:
        """Post a sale being confirmed, in its transaction. `agreed_total` is the total the customer heard read
        back; a voucher further from it than the variance limit stops the confirmation (nothing is written)."""
        self.post_sale(session, doc, agreed_total)

    def on_cancel(self, session: Session, doc: ledger.Document) -> None:
        """Reverse a confirmed sale being cancelled, in its transaction."""
        self.reverse_sale(session, doc)

    # --- posting -------------------------------------------------------------------------------------------

    def post_sale(self, session: Session, doc: ledger.Document, agreed_total: Decimal | None = None) -> list[int]:
        """The sale's revenue and cost vouchers not posted yet (ids of those written now)."""
        if doc.type != DocType.sales_order:
            return []  # transfers post nothing financial
        posted = set(session.scalars(select(Voucher.event).where(Voucher.document_id == doc.id)))
        sold = [SoldLine(line.item, line.qty_base, line.line_total) for line in doc.lines]
        revenue = sale_draft(self._data, self._items, doc.id, self._customer_name(session, doc), sold)
        document_total = agreed_total if agreed_total is not None else _document_total(sold)
        if revenue is not None and document_total is not None:
            gap = variance(document_total, revenue.debit)
            if gap > self._data.variance_limit:
                log.warning("books.variance", document=doc.id, document_total=str(document_total),
                            voucher_total=str(revenue.debit), variance=str(gap))
                raise VoucherVariance(doc.id, document_total, revenue.debit, self._data.variance_limit)
        drafts: list[Draft] = []
        if revenue is not None and "sale" not in posted:
            drafts.append(revenue)
        if "delivery" not in posted:
            delivery = delivery_draft(self._data, self._items, doc.id, self._issue(session, doc))
            if delivery is not None:
                drafts.append(delivery)
        day = doc.doc_date or doc.created_at.date()
        ids = [self._write_voucher(session, doc, day, draft) for draft in drafts]
        if ids:
            log.info("books.posted", document=doc.id, vouchers=ids)
        return ids

    def reverse_sale(self, session: Session, doc: ledger.Document) -> list[int]:
        """Each of the sale's vouchers not reversed yet, in red (ids of those written now)."""
        if doc.type != DocType.sales_order:
            return []
        vouchers = {VoucherEvent(v.event): v for v in session.scalars(select(Voucher)
                                                                      .where(Voucher.document_id == doc.id))}
        day = utcnow().date()  # the reversal is dated when it happens: the original month may be closed
        ids: list[int] = []
        for event, reversal in ((VoucherEvent.sale, VoucherEvent.sale_reversal),
                                (VoucherEvent.delivery, VoucherEvent.delivery_reversal)):
            original = vouchers.get(event)
            if original is None or reversal in vouchers:
                continue
            lines = [DraftLine(line.account, line.summary, line.debit, line.credit, line.item, line.qty)
                     for line in original.lines]
            if event is VoucherEvent.delivery:
                for line in lines:
                    if line.account == self._data.postings.inventory and line.item and line.qty:
                        costing.receive(session, self._world, doc.site, line.item, line.qty, line.credit / line.qty)
            ids.append(self._write_voucher(session, doc, day, reversal_draft(reversal, original.summary, lines)))
        if ids:
            log.info("books.reversed", document=doc.id, vouchers=ids)
        return ids

    def post_document(self, doc_id: str) -> list[int]:
        """Post a confirmed (or done) sale's missing vouchers in a transaction of its own: for sales confirmed
        before the books were set up. Posting twice posts once."""
        with self._write() as session, session.begin():
            doc = lock_document(session, doc_id)
            if doc.status not in (DocStatus.confirmed, DocStatus.done):
                return []
            return self.post_sale(session, doc)

    def receive(self, site: str, item: str, qty: Decimal, unit_cost: Decimal) -> Decimal:
        """Goods of `item` arriving at `site` at `unit_cost` (per base unit, VAT excluded): the new moving average.
        For a goods receipt (the ledger has none yet: opening stock is the only incoming cost so far)."""
        with self._write() as session, session.begin():
            return costing.receive(session, self._world, site, item, qty, unit_cost)

    # --- helpers -------------------------------------------------------------------------------------------

    def _issue(self, session: Session, doc: ledger.Document) -> list[tuple[str, Decimal, Decimal]]:
        qty: dict[str, Decimal] = defaultdict(Decimal)
        for line in doc.lines:
            qty[line.item] += line.qty_base
        return [(item, q, costing.issue(session, self._world, doc.site, item, q)) for item, q in sorted(qty.items())]

    @staticmethod
    def _customer_name(session: Session, doc: ledger.Document) -> str | None:
        row = session.get(ledger.Customer, doc.customer) if doc.customer else None
        return row.name if row is not None else None

    def _write_voucher(self, session: Session, doc: ledger.Document, day: dt.date, draft: Draft) -> int:
        check_balanced(doc.id, draft)
        period = f"{day:%Y-%m}"
        voucher = Voucher(site=doc.site, period=period, number=_next_number(session, doc.site, period), date=day,
                          document_id=doc.id, event=str(draft.event), summary=draft.summary, created_at=utcnow())
        voucher.lines = [VoucherLine(line_no=no, account=line.account, summary=line.summary, debit=line.debit,
                                     credit=line.credit, item=line.item, qty=line.qty)
                         for no, line in enumerate(draft.lines, start=1)]
        session.add(voucher)
        session.flush()
        return voucher.id


def _document_total(lines: list[SoldLine]) -> Decimal | None:
    if any(line.total is None for line in lines):
        return None
    return sum((line.total for line in lines if line.total is not None), Decimal(0))


def _next_number(session: Session, site: str, period: str) -> int:
    """The site's next voucher number in the month (记-0001, ...), under the counter row's lock."""
    insert_missing(session, VoucherCounter.__table__,  # type: ignore[arg-type]
                   [{"site": site, "period": period, "last_no": 0}])
    counter = session.scalars(select(VoucherCounter).where(VoucherCounter.site == site,
                                                           VoucherCounter.period == period)
                              .with_for_update().execution_options(populate_existing=True)).one()
    counter.last_no += 1
    return counter.last_no
