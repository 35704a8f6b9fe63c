"""The `Ledger` service: the only code that changes stock.

Every method is synchronous and runs one short transaction (callers run them in worker threads). Plans
read and write nothing; confirmations re-check under the lock (see locking.py), so concurrent
confirmations of the last units can never oversell."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

import structlog
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker

from assistant.ledger import models, views
from assistant.ledger.allocation import STORAGE_KINDS, sale_sources, take, transfer_sources
from assistant.ledger.db import read_only
from assistant.ledger.errors import (
    CustomerOfOtherSite,
    DocumentNotFound,
    InsufficientStock,
    InvalidQuantity,
    InvalidState,
    LocationInOtherSite,
    OverCreditLimit,
    SameLocation,
    UnknownCustomer,
    UnknownItem,
    UnknownLocation,
    UnknownSite,
)
from assistant.ledger.locking import StockKey, lock_customer, lock_document, lock_stock, next_document_id
from assistant.ledger.pricing import money, price_of, split_total
from assistant.ledger.states import DocStatus, DocType, MoveKind, can_move
from assistant.ledger.types import utcnow
from assistant.world.schema import Customer, Item, Location, LocationKind, World

log = structlog.get_logger(__name__)
MAX_CUSTOMER_NAME = 40
_CUSTOMER_CODE = re.compile(r"C(\d+)")

ZERO = Decimal(0)
QTY_PLACES = Decimal("0.001")
Legs = list[tuple[str, Decimal]]
# Called inside a sale's confirmation, after its lines and moves and before it commits, with the total read back to
# the customer (the books post its vouchers there: see assistant/books). Raising a LedgerError writes nothing.
SaleHook = Callable[[Session, models.Document, Decimal | None], None]
# Called inside the cancellation of a confirmed sale, after its goods are back (the books reverse its vouchers).
CancelHook = Callable[[Session, models.Document], None]


class Ledger:
    def __init__(self, engine: Engine, world: World, *, on_sale: SaleHook | None = None,
                 on_cancel_sale: CancelHook | None = None) -> None:
        self._world = world
        self._on_sale = on_sale
        self._on_cancel_sale = on_cancel_sale
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(engine), expire_on_commit=False)
        self._items = {i.code: i for i in world.items}
        self._customers = {c.code: c for c in world.customers}
        self._world_customers = frozenset(self._customers)
        self._sites = {s.code for s in world.sites}
        self._locations = {loc.code: (site.code, loc) for site in world.sites for loc in site.locations}
        self._kinds = {code: loc.kind for code, (_, loc) in self._locations.items()}
        self._minimum = {(s.site, s.item): s.minimum.quantize(QTY_PLACES) for s in world.safety_stock}

    # --- reading ---------------------------------------------------------------------------------------

    def stock(self, site: str, item: str | None = None) -> list[views.LocationStock]:
        """Non-empty stock rows at `site` (of `item`), by item then location."""
        self._site(site)
        query = select(models.Stock).where(models.Stock.site == site)
        if item is not None:
            self._item(item)
            query = query.where(models.Stock.item == item)
        with self._reading() as session:
            rows = session.scalars(query.order_by(models.Stock.item, models.Stock.location)).all()
        return [self._location_stock(row) for row in rows if row.on_hand or row.reserved]

    def available_total(self, site: str, item: str) -> Decimal:
        """Available (on hand minus reserved) at the site's storage locations (rack/store/shelf).

        Goods on a line, at QC or at a dock are in use or in transit: they do not count, and this is
        the figure safety stock is compared with."""
        self._site(site)
        self._item(item)
        with self._reading() as session:
            available = self._available(session, site, item)
        return sum((qty for loc, qty in available.items() if self._kinds[loc] in STORAGE_KINDS), ZERO)

    def document(self, doc_id: str) -> views.Document:
        with self._reading() as session:
            doc = session.get(models.Document, doc_id, options=[selectinload(models.Document.lines)])
            if doc is None:
                raise DocumentNotFound(doc_id)
            return self._document_view(doc)

    def document_confirming(self, key: str) -> views.Document | None:
        """The document written for the read-back `key` (its proposal's key), if one was."""
        with self._reading() as session:
            doc = session.scalar(select(models.Document).where(models.Document.confirms == key)
                                 .options(selectinload(models.Document.lines)))
            return self._document_view(doc) if doc is not None else None

    def documents_for_turn(self, turn_id: str) -> list[views.Document]:
        """Documents the turn created or changed, in the order it first touched them."""
        first = func.min(models.DocumentEvent.id)
        with self._reading() as session:
            ids = session.scalars(
                select(models.DocumentEvent.document_id)
                .where(models.DocumentEvent.turn_id == turn_id)
                .group_by(models.DocumentEvent.document_id)
                .order_by(first)
            ).all()
            return self._load_documents(session, list(ids))

    def recent_documents(self, site: str, limit: int = 10, status: DocStatus | None = None) -> list[views.Document]:
        """The site's newest documents first (only those in `status`)."""
        query = select(models.Document.id).where(models.Document.site == site)
        if status is not None:
            query = query.where(models.Document.status == str(status))
        with self._reading() as session:
            ids = session.scalars(
                query.order_by(models.Document.created_at.desc(), models.Document.id.desc()).limit(limit)
            ).all()
            return self._load_documents(session, list(ids))

    def pending_events(self, limit: int = 100) -> list[views.LedgerEvent]:
        """Undelivered ledger events (low stock, ...), oldest first."""
        with self._reading() as session:
            rows = session.scalars(
                select(models.LedgerEvent).where(models.LedgerEvent.delivered.is_(False))
                .order_by(models.LedgerEvent.id).limit(limit)
            ).all()
        return [views.LedgerEvent(id=r.id, kind=r.kind, payload=r.payload, created_at=r.created_at) for r in rows]

    def mark_delivered(self, ids: Iterable[int]) -> None:
        wanted = list(ids)
        if not wanted:
            return
        with self._writing() as session:
            session.execute(update(models.LedgerEvent).where(models.LedgerEvent.id.in_(wanted))
                            .values(delivered=True), execution_options={"synchronize_session": False})

    # --- transfers -------------------------------------------------------------------------------------

    def plan_transfer(
        self, site: str, item: str, qty_base: Decimal, to: str, source: str | None = None
    ) -> views.TransferPlan:
        """Check a transfer and choose its sources. Writes nothing."""
        qty = self._check_transfer(site, item, qty_base, to, source)
        with self._reading() as session:
            available = self._available(session, site, item)
        legs = self._transfer_legs(item, qty, to, source, available)
        return views.TransferPlan(site=site, item=item, qty_base=qty, destination=to, source=source,
                                  legs=tuple(views.PlanLeg(location=loc, qty=q) for loc, q in legs))

    def confirm_transfer(
        self, plan: views.TransferPlan, *, device: str | None, worker: str | None, turn_id: str | None,
        lot: str | None = None, expiry: dt.date | None = None, confirms: str | None = None,
    ) -> views.Document:
        """Create the transfer (status confirmed) and reserve its quantity at the sources. `lot`/`expiry` come
        from a scanned GS1 label and follow the goods onto every move of the transfer."""
        site, item = plan.site, plan.item
        qty = self._check_transfer(site, item, plan.qty_base, plan.destination, plan.source)
        with self._writing() as session:
            rows = lock_stock(session, site, [item])
            before = self._storage_totals(rows, [item])
            available = {loc: r.on_hand - r.reserved for (_, loc), r in rows.items()}
            legs = [(leg.location, leg.qty) for leg in plan.legs]
            if not self._legs_fit(legs, qty, available, allowed=self._sources_allowed(site, plan)):
                legs = self._transfer_legs(item, qty, plan.destination, plan.source, available)
            doc = self._new_document(session, DocType.transfer, site, device=device, worker=worker,
                                     turn_id=turn_id, confirms=confirms)
            for no, (loc, part) in enumerate(legs, start=1):
                doc.lines.append(models.DocumentLine(line_no=no, item=item, qty_base=part, from_location=loc,
                                                     to_location=plan.destination, lot=lot, expiry=expiry))
            self._reserve(session, doc, rows, turn_id)
            low = self._low_stock(session, doc, rows, before, turn_id)
            result = self._document_view(doc, low)
        log.info("ledger.transfer_confirmed", document=result.id, item=item, qty=str(qty),
                 to=plan.destination, turn_id=turn_id)
        return result

    def request_transfer(
        self, plan: views.TransferPlan, *, device: str | None, worker: str | None, turn_id: str | None,
        lot: str | None = None, expiry: dt.date | None = None, confirms: str | None = None,
    ) -> views.Document:
        """Create a transfer that waits for approval (its requester confirmed it, but it is over their limit):
        its lines as planned now, nothing reserved; the approval plans and reserves again."""
        qty = self._check_transfer(plan.site, plan.item, plan.qty_base, plan.destination, plan.source)
        with self._writing() as session:
            doc = self._new_document(session, DocType.transfer, plan.site, device=device, worker=worker,
                                     turn_id=turn_id, status=DocStatus.awaiting_approval, confirms=confirms)
            for no, leg in enumerate(plan.legs, start=1):
                doc.lines.append(models.DocumentLine(line_no=no, item=plan.item, qty_base=leg.qty,
                                                     from_location=leg.location, to_location=plan.destination,
                                                     lot=lot, expiry=expiry))
            result = self._document_view(doc)
        log.info("ledger.transfer_awaiting_approval", document=result.id, item=plan.item, qty=str(qty),
                 to=plan.destination, turn_id=turn_id)
        return result

    def approve_transfer(self, doc_id: str, *, by: str, turn_id: str | None = None) -> views.Document:
        """Approve a waiting transfer: check it again against today's stock and reserve it, in one transaction
        under the stock rows' locks (the sources are chosen again when the planned ones no longer hold it)."""
        with self._writing() as session:
            doc = lock_document(session, doc_id)
            if doc.type != DocType.transfer or doc.status != DocStatus.awaiting_approval:
                raise InvalidState(doc_id, doc.status, "approve")
            items = {line.item for line in doc.lines}
            [item] = items  # a transfer moves one item
            rows = lock_stock(session, doc.site, items)
            before = self._storage_totals(rows, items)
            available = {loc: r.on_hand - r.reserved for (_, loc), r in rows.items()}
            destination = doc.lines[0].to_location
            assert destination is not None
            qty = sum((line.qty_base for line in doc.lines), ZERO)
            planned = [(line.from_location or "", line.qty_base) for line in doc.lines]
            if not self._legs_fit(planned, qty, available, allowed=set(available)):
                first = doc.lines[0]
                legs = self._transfer_legs(item, qty, destination, None, available)
                doc.lines.clear()
                session.flush()
                for no, (loc, part) in enumerate(legs, start=1):
                    doc.lines.append(models.DocumentLine(line_no=no, item=item, qty_base=part, from_location=loc,
                                                         to_location=destination, lot=first.lot,
                                                         expiry=first.expiry))
            self._transition(session, doc_id, DocType.transfer, DocStatus.confirmed, "approve", turn_id, doc)
            doc.decided_by = by
            self._reserve(session, doc, rows, turn_id)
            low = self._low_stock(session, doc, rows, before, turn_id)
            result = self._document_view(doc, low)
        log.info("ledger.transfer_approved", document=doc_id, by=by, turn_id=turn_id)
        return result

    def reject_transfer(self, doc_id: str, *, by: str, turn_id: str | None = None) -> views.Document:
        """Refuse a waiting transfer: nothing was reserved, so nothing moves."""
        with self._writing() as session:
            doc = self._transition(session, doc_id, DocType.transfer, DocStatus.rejected, "reject", turn_id)
            doc.decided_by = by
            result = self._document_view(doc)
        log.info("ledger.transfer_rejected", document=doc_id, by=by, turn_id=turn_id)
        return result

    def _reserve(self, session: Session, doc: models.Document, rows: dict[StockKey, models.Stock],
                 turn_id: str | None) -> None:
        for line in doc.lines:
            assert line.from_location is not None
            rows[line.item, line.from_location].reserved += line.qty_base
            self._move(session, doc, MoveKind.reserve, line.item, line.qty_base, turn_id=turn_id,
                       from_location=line.from_location, lot=line.lot, expiry=line.expiry)

    def start_transfer(self, doc_id: str, turn_id: str | None = None) -> views.Document:
        with self._writing() as session:
            doc = self._transition(session, doc_id, DocType.transfer, DocStatus.in_progress, "start", turn_id)
            return self._document_view(doc)

    def complete_transfer(self, doc_id: str, turn_id: str | None = None) -> views.Document:
        """Release the reservation and move on-hand from the sources to the destination."""
        with self._writing() as session:
            doc = self._transition(session, doc_id, DocType.transfer, DocStatus.done, "complete", turn_id)
            ensure = {(line.item, loc) for line in doc.lines
                      for loc in (line.from_location, line.to_location) if loc}
            rows = lock_stock(session, doc.site, {item for item, _ in ensure}, ensure)
            before = self._storage_totals(rows, {line.item for line in doc.lines})
            for line in doc.lines:
                assert line.from_location and line.to_location  # transfers always have both
                src, dst = rows[line.item, line.from_location], rows[line.item, line.to_location]
                src.reserved -= line.qty_base
                src.on_hand -= line.qty_base
                dst.on_hand += line.qty_base
                self._move(session, doc, MoveKind.release, line.item, line.qty_base, turn_id=turn_id,
                           from_location=line.from_location, lot=line.lot, expiry=line.expiry)
                self._move(session, doc, MoveKind.transfer, line.item, line.qty_base, turn_id=turn_id,
                           from_location=line.from_location, to_location=line.to_location, lot=line.lot,
                           expiry=line.expiry)
            low = self._low_stock(session, doc, rows, before, turn_id)
            result = self._document_view(doc, low)
        log.info("ledger.transfer_done", document=doc_id, turn_id=turn_id)
        return result

    # --- sales orders ----------------------------------------------------------------------------------

    def plan_sales_order(
        self, site: str, customer: str | None, doc_date: dt.date, lines: Sequence[tuple[str, Decimal]],
        *, new_customer: str | None = None, delivery_date: dt.date | None = None,
        delivery_place: str | None = None, check_credit: bool = True,
    ) -> views.SalesPlan:
        """Price the order and choose sources (shelf first, then back room). Writes nothing. For a customer
        not yet known, pass `new_customer` (the name) instead of a code: confirming registers it. A customer with a
        credit limit is checked against it (raises OverCreditLimit; `check_credit=False` plans a sale that is to
        wait for a manager's approval); confirming checks again under lock."""
        wanted = self._check_sale(site, customer, lines, new_customer)
        with self._reading() as session:
            available = {item: self._available(session, site, item) for item, _ in wanted}
            plan = self._sales_plan(site, customer, doc_date, wanted, available, preferred=None)
            if customer is not None and check_credit:
                self._check_credit(session, customer, plan.total)
        return plan.model_copy(update={"new_customer": new_customer.strip() if new_customer else None,
                                       "delivery_date": delivery_date,
                                       "delivery_place": (delivery_place or "").strip() or None})

    def available_credit(self, customer: str) -> Decimal | None:
        """The customer's credit limit less its open receivables; None for a customer sold to without a limit."""
        limit = self._customer(customer).credit_limit
        if limit is None:
            return None
        with self._reading() as session:
            return money(limit - self._open_receivables(session, customer))

    @staticmethod
    def _open_receivables(session: Session, customer: str) -> Decimal:
        """What the customer owes: the totals of its confirmed sales not yet paid (a paid sale is done)."""
        owed = session.scalar(
            select(func.coalesce(func.sum(models.DocumentLine.line_total), 0))
            .join(models.Document, models.Document.id == models.DocumentLine.document_id)
            .where(models.Document.customer == customer, models.Document.type == str(DocType.sales_order),
                   models.Document.status == str(DocStatus.confirmed)))
        return Decimal(owed or 0)

    def _check_credit(self, session: Session, customer: str, total: Decimal | None) -> None:
        limit = self._customer(customer).credit_limit
        if limit is None or total is None:
            return
        available = money(limit - self._open_receivables(session, customer))
        if total > available:
            raise OverCreditLimit(customer, total, max(available, ZERO), money(limit))

    def confirm_sales_order(
        self, plan: views.SalesPlan, *, device: str | None, worker: str | None, turn_id: str | None,
        lots: Mapping[str, tuple[str | None, dt.date | None]] | None = None, confirms: str | None = None,
    ) -> views.Document:
        """Create the sales order (status confirmed) and deduct its stock, in one locked transaction; a new
        customer is registered in the same transaction. `lots` (item → lot, expiry, from a scanned GS1 label)
        are recorded on the item's lines and moves."""
        try:
            return self._confirm_sale(plan, device=device, worker=worker, turn_id=turn_id, lots=lots,
                                      confirms=confirms)
        except IntegrityError:
            if plan.customer is not None:
                raise
            # Another process registered a customer with the code we took: once more, with the next code (or
            # its row, if it registered the same name).
            log.info("ledger.customer_code_taken", turn_id=turn_id)
            return self._confirm_sale(plan, device=device, worker=worker, turn_id=turn_id, lots=lots,
                                      confirms=confirms)

    def _confirm_sale(
        self, plan: views.SalesPlan, *, device: str | None, worker: str | None, turn_id: str | None,
        lots: Mapping[str, tuple[str | None, dt.date | None]] | None, confirms: str | None = None,
    ) -> views.Document:
        wanted = self._check_sale(plan.site, plan.customer, [(line.item, line.qty_base) for line in plan.lines],
                                  plan.new_customer)
        codes = {code for code, _ in wanted}
        lots = lots or {}
        with self._writing() as session:
            if plan.customer is not None and self._customer(plan.customer).credit_limit is not None:
                lock_customer(session, plan.customer)  # two orders of one customer cannot both use its credit
            customer = plan.customer or self._register_customer(session, plan.new_customer or "")
            rows = lock_stock(session, plan.site, codes)
            before = self._storage_totals(rows, codes)
            available: dict[str, dict[str, Decimal]] = {code: {} for code in codes}
            for (code, loc), row in rows.items():
                available[code][loc] = row.on_hand - row.reserved
            final = self._sales_plan(plan.site, customer, plan.doc_date, wanted, available, preferred=plan)
            if plan.customer is not None:
                self._check_credit(session, plan.customer, final.total)
            doc = self._new_document(session, DocType.sales_order, plan.site, device=device, worker=worker,
                                     turn_id=turn_id, customer=customer, doc_date=plan.doc_date, confirms=confirms)
            doc.delivery_date, doc.delivery_place = plan.delivery_date, plan.delivery_place
            self._sale_lines(session, doc, final, lots, turn_id, rows)
            if self._on_sale is not None:
                session.flush()
                self._on_sale(session, doc, plan.total)
            low = self._low_stock(session, doc, rows, before, turn_id)
            result = self._document_view(doc, low)
        log.info("ledger.sales_order_confirmed", document=result.id, total=str(result.total), turn_id=turn_id)
        return result

    def _sale_lines(self, session: Session, doc: models.Document, plan: views.SalesPlan,
                    lots: Mapping[str, tuple[str | None, dt.date | None]], turn_id: str | None,
                    rows: dict[StockKey, models.Stock] | None) -> None:
        """The plan's lines on the document, one per source leg; with `rows` (locked) the goods leave them."""
        no = 0
        for line in plan.lines:
            item = self._items[line.item]
            lot, expiry = lots.get(line.item, (None, None))
            totals = split_total(self._world, item, line.line_total, [leg.qty for leg in line.legs])
            for leg, leg_total in zip(line.legs, totals, strict=True):
                no += 1
                doc.lines.append(models.DocumentLine(
                    line_no=no, item=line.item, qty_base=leg.qty, from_location=leg.location,
                    unit_price=line.unit_price, price_unit=line.price_unit, line_total=leg_total,
                    lot=lot, expiry=expiry))
                if rows is not None:
                    rows[line.item, leg.location].on_hand -= leg.qty
                    self._move(session, doc, MoveKind.sale, line.item, leg.qty, turn_id=turn_id,
                               from_location=leg.location, lot=lot, expiry=expiry)

    def request_sales_order(
        self, plan: views.SalesPlan, *, device: str | None, worker: str | None, turn_id: str | None,
        lots: Mapping[str, tuple[str | None, dt.date | None]] | None = None, confirms: str | None = None,
    ) -> views.Document:
        """Store a sale its customer's credit does not cover, to wait for a manager's approval: its lines as
        planned now, nothing deducted (plan it with `check_credit=False`). Approving plans and deducts again."""
        if plan.customer is None:
            raise UnknownCustomer(plan.new_customer or "")  # only a known customer has a credit limit
        self._check_sale(plan.site, plan.customer, [(line.item, line.qty_base) for line in plan.lines], None)
        with self._writing() as session:
            doc = self._new_document(session, DocType.sales_order, plan.site, device=device, worker=worker,
                                     turn_id=turn_id, customer=plan.customer, doc_date=plan.doc_date,
                                     status=DocStatus.awaiting_approval, confirms=confirms)
            doc.delivery_date, doc.delivery_place = plan.delivery_date, plan.delivery_place
            self._sale_lines(session, doc, plan, lots or {}, turn_id, rows=None)
            result = self._document_view(doc)
        log.info("ledger.sales_order_awaiting_approval", document=result.id, total=str(result.total),
                 turn_id=turn_id)
        return result

    def approve_sales_order(self, doc_id: str, *, by: str, turn_id: str | None = None) -> views.Document:
        """A manager's yes to a sale over its customer's credit: planned again against today's stock and deducted,
        in one transaction under the stock rows' locks (the credit is what the manager decided on, so it is not
        checked again); the vouchers are posted as for any confirmed sale."""
        with self._writing() as session:
            doc = lock_document(session, doc_id)
            if doc.type != DocType.sales_order or doc.status != DocStatus.awaiting_approval:
                raise InvalidState(doc_id, doc.status, "approve")
            wanted: dict[str, Decimal] = {}
            legs: dict[str, list[views.PlanLeg]] = {}
            lots: dict[str, tuple[str | None, dt.date | None]] = {}
            for line in doc.lines:
                wanted[line.item] = wanted.get(line.item, ZERO) + line.qty_base
                legs.setdefault(line.item, []).append(views.PlanLeg(location=line.from_location or "",
                                                                    qty=line.qty_base))
                lots.setdefault(line.item, (line.lot, line.expiry))
            agreed = sum((line.line_total for line in doc.lines if line.line_total is not None), ZERO)
            rows = lock_stock(session, doc.site, set(wanted))
            before = self._storage_totals(rows, wanted)
            available: dict[str, dict[str, Decimal]] = {code: {} for code in wanted}
            for (code, loc), row in rows.items():
                available[code][loc] = row.on_hand - row.reserved
            assert doc.doc_date is not None and doc.customer is not None
            asked = views.SalesPlan(site=doc.site, customer=doc.customer, doc_date=doc.doc_date, total=agreed,
                                    lines=tuple(views.SalesPlanLine(item=code, qty_base=qty, unit_price=None,
                                                                    price_unit=None, line_total=None,
                                                                    legs=tuple(legs[code]))
                                                for code, qty in wanted.items()))
            final = self._sales_plan(doc.site, doc.customer, doc.doc_date, list(wanted.items()), available,
                                     preferred=asked)
            for old in list(doc.lines):  # written again as now planned (the sources may have changed)
                session.delete(old)
            session.flush()
            session.expire(doc, ["lines"])
            self._sale_lines(session, doc, final, lots, turn_id, rows)
            self._transition(session, doc_id, DocType.sales_order, DocStatus.confirmed, "approve", turn_id, doc)
            doc.decided_by = by
            if self._on_sale is not None:
                session.flush()
                self._on_sale(session, doc, agreed)
            low = self._low_stock(session, doc, rows, before, turn_id)
            result = self._document_view(doc, low)
        log.info("ledger.sales_order_approved", document=doc_id, by=by, turn_id=turn_id)
        return result

    def reject_sales_order(self, doc_id: str, *, by: str, turn_id: str | None = None) -> views.Document:
        """Refuse a sale waiting for approval: nothing was deducted, so nothing moves."""
        with self._writing() as session:
            doc = self._transition(session, doc_id, DocType.sales_order, DocStatus.rejected, "reject", turn_id)
            doc.decided_by = by
            result = self._document_view(doc)
        log.info("ledger.sales_order_rejected", document=doc_id, by=by, turn_id=turn_id)
        return result

    def complete_sales_order(self, doc_id: str, turn_id: str | None = None) -> views.Document:
        """Mark a confirmed sales order done (handed over and paid); stock was deducted at confirmation."""
        with self._writing() as session:
            doc = self._transition(session, doc_id, DocType.sales_order, DocStatus.done, "complete", turn_id)
            return self._document_view(doc)

    # --- both ------------------------------------------------------------------------------------------

    def cancel_document(self, doc_id: str, turn_id: str | None = None) -> views.Document:
        """Cancel a draft or confirmed document, giving back what it held (reservation or sold goods)."""
        with self._writing() as session:
            doc = lock_document(session, doc_id)
            was = DocStatus(doc.status)
            self._transition(session, doc_id, DocType(doc.type), DocStatus.cancelled, "cancel", turn_id, doc)
            if was is DocStatus.confirmed:
                rows = lock_stock(session, doc.site, {line.item for line in doc.lines})
                for line in doc.lines:
                    assert line.from_location
                    row = rows[line.item, line.from_location]
                    if doc.type == DocType.transfer:
                        row.reserved -= line.qty_base
                        self._move(session, doc, MoveKind.release, line.item, line.qty_base, turn_id=turn_id,
                                   from_location=line.from_location)
                    else:  # the goods go back where they were taken from
                        row.on_hand += line.qty_base
                        self._move(session, doc, MoveKind.sale, line.item, line.qty_base, turn_id=turn_id,
                                   to_location=line.from_location)
                if doc.type == DocType.sales_order and self._on_cancel_sale is not None:
                    session.flush()
                    self._on_cancel_sale(session, doc)
            result = self._document_view(doc)
        log.info("ledger.document_cancelled", document=doc_id, turn_id=turn_id)
        return result

    # --- validation ------------------------------------------------------------------------------------

    def _site(self, site: str) -> None:
        if site not in self._sites:
            raise UnknownSite(site)

    def _item(self, code: str) -> Item:
        try:
            return self._items[code]
        except KeyError:
            raise UnknownItem(code) from None

    def _location(self, site: str, code: str) -> Location:
        if code not in self._locations:
            raise UnknownLocation(code)
        owner, location = self._locations[code]
        if owner != site:
            raise LocationInOtherSite(code, owner)
        return location

    def _customer(self, code: str) -> Customer:
        """World customers are known at start; those registered in conversation (here or by another process
        on the same database) are read once and remembered."""
        if code not in self._customers:
            with self._reading() as session:
                row = session.get(models.Customer, code)
            if row is None:
                raise UnknownCustomer(code)
            self._customers[code] = _customer_of(row)
        return self._customers[code]

    def registered_customers(self) -> list[Customer]:
        """Customers in the ledger that the world file does not list: registered in conversation."""
        with self._reading() as session:
            rows = session.scalars(select(models.Customer).order_by(models.Customer.code)).all()
        found = [_customer_of(row) for row in rows if row.code not in self._world_customers]
        # What another process or a reset changed replaces what was remembered.
        self._customers = {**{c.code: c for c in self._world.customers}, **{c.code: c for c in found}}
        return found

    def _register_customer(self, session: Session, name: str) -> str:
        """The code of the customer called `name`: an existing one of that name, or a new row (C011, …)."""
        name = name.strip()
        rows = session.scalars(select(models.Customer)).all()
        same = next((row.code for row in rows if row.name == name or name in (row.aliases or [])), None)
        if same is not None:
            return same
        # Numbered after the shop's own customers: a trader's customers (C101…, with a site) keep their range.
        sited = {c.code for c in self._world.customers if c.site is not None}
        numbers = [int(m.group(1)) for row in rows
                   if row.code not in sited and (m := _CUSTOMER_CODE.fullmatch(row.code))]
        taken = {row.code for row in rows}
        number = max(numbers, default=0) + 1
        while f"C{number:03d}" in taken:
            number += 1
        code = f"C{number:03d}"
        session.add(models.Customer(code=code, name=name, phone=None, aliases=[]))
        session.flush()
        log.info("ledger.customer_registered", customer=code)
        return code

    @staticmethod
    def _qty(qty: Decimal) -> Decimal:
        try:
            value = Decimal(qty)
            exact = value.is_finite() and value > 0 and value == value.quantize(QTY_PLACES)
        except (InvalidOperation, TypeError, ValueError):
            exact = False
        if not exact:
            raise InvalidQuantity(qty)
        return value.quantize(QTY_PLACES)

    def _check_transfer(self, site: str, item: str, qty: Decimal, to: str, source: str | None) -> Decimal:
        self._site(site)
        self._item(item)
        checked = self._qty(qty)
        self._location(site, to)
        if source is not None:
            self._location(site, source)
            if source == to:
                raise SameLocation(to)
        return checked

    def _check_sale(
        self, site: str, customer: str | None, lines: Sequence[tuple[str, Decimal]], new_customer: str | None
    ) -> list[tuple[str, Decimal]]:
        self._site(site)
        if customer is not None:
            buyer = self._customer(customer)
            if buyer.site is not None and buyer.site != site:
                raise CustomerOfOtherSite(customer, buyer.site)
        elif not (new_customer or "").strip() or len(new_customer or "") > MAX_CUSTOMER_NAME:
            raise UnknownCustomer(new_customer or "")
        if not lines:
            raise InvalidQuantity(ZERO)
        return [(self._item(item).code, self._qty(qty)) for item, qty in lines]

    # --- planning --------------------------------------------------------------------------------------

    def _transfer_legs(
        self, item: str, qty: Decimal, to: str, source: str | None, available: dict[str, Decimal]
    ) -> Legs:
        if source is not None:
            have = available.get(source, ZERO)
            if have < qty:
                raise InsufficientStock(item, qty, have)
            return [(source, qty)]
        sources = transfer_sources(available, self._kinds, to)
        legs = take(sources, qty)
        if legs is None:
            raise InsufficientStock(item, qty, sum((q for _, q in sources), ZERO))
        return legs

    def _sources_allowed(self, site: str, plan: views.TransferPlan) -> set[str]:
        if plan.source is not None:
            return {plan.source}
        return {code for code, (owner, loc) in self._locations.items()
                if owner == site and loc.kind in STORAGE_KINDS and code != plan.destination}

    @staticmethod
    def _legs_fit(legs: Legs, qty: Decimal, available: dict[str, Decimal], allowed: set[str]) -> bool:
        """Whether a plan's legs (which may come back from a client as JSON) still hold."""
        if not legs or sum((q for _, q in legs), ZERO) != qty:
            return False
        need: dict[str, Decimal] = {}
        for loc, q in legs:
            if loc not in allowed or q <= 0:
                return False
            need[loc] = need.get(loc, ZERO) + q
        return all(available.get(loc, ZERO) >= q for loc, q in need.items())

    def _sales_plan(
        self, site: str, customer: str | None, doc_date: dt.date, wanted: list[tuple[str, Decimal]],
        available: dict[str, dict[str, Decimal]], preferred: views.SalesPlan | None,
    ) -> views.SalesPlan:
        """Allocate each line from what is left after the lines before it; keep `preferred` legs if
        they still fit (the user heard them read back), else re-allocate."""
        left = {item: dict(avail) for item, avail in available.items()}
        sellable = {code for code, (owner, loc) in self._locations.items()
                    if owner == site and loc.kind in (LocationKind.shelf, LocationKind.store, LocationKind.rack)}
        lines: list[views.SalesPlanLine] = []
        for index, (code, qty) in enumerate(wanted):
            item = self._items[code]
            legs: Legs | None = None
            if preferred is not None and index < len(preferred.lines):
                old = [(leg.location, leg.qty) for leg in preferred.lines[index].legs]
                legs = old if self._legs_fit(old, qty, left[code], sellable) else None
            if legs is None:
                sources = sale_sources(left[code], self._kinds)
                legs = take(sources, qty)
                if legs is None:
                    raise InsufficientStock(code, qty, sum((q for _, q in sources), ZERO))
            for loc, part in legs:
                left[code][loc] -= part
            lines.append(views.SalesPlanLine(
                item=code, qty_base=qty, unit_price=None if item.price is None else money(item.price),
                price_unit=item.price_per,
                line_total=price_of(self._world, item, qty),
                legs=tuple(views.PlanLeg(location=loc, qty=part) for loc, part in legs)))
        totals = [line.line_total for line in lines]
        total = None if any(t is None for t in totals) else sum((t for t in totals if t is not None), ZERO)
        return views.SalesPlan(site=site, customer=customer, doc_date=doc_date, lines=tuple(lines), total=total)

    # --- writing helpers -------------------------------------------------------------------------------

    def _new_document(
        self, session: Session, doc_type: DocType, site: str, *, device: str | None, worker: str | None,
        turn_id: str | None, customer: str | None = None, doc_date: dt.date | None = None,
        status: DocStatus = DocStatus.confirmed, confirms: str | None = None,
    ) -> models.Document:
        now = utcnow()
        doc = models.Document(id=next_document_id(session, doc_type), type=str(doc_type),
                              status=str(status), site=site, customer=customer, doc_date=doc_date,
                              device=device, worker=worker, turn_id=turn_id, created_at=now, updated_at=now,
                              confirms=confirms)
        session.add(doc)
        session.flush()  # before the rows that reference it: the unit of work does not order those
        session.add(models.DocumentEvent(document_id=doc.id, turn_id=turn_id, from_status=None,
                                         to_status=doc.status, ts=now))
        return doc

    def _transition(
        self, session: Session, doc_id: str, doc_type: DocType, target: DocStatus, action: str,
        turn_id: str | None, doc: models.Document | None = None,
    ) -> models.Document:
        doc = doc or lock_document(session, doc_id)
        current = DocStatus(doc.status)
        if doc.type != doc_type or not can_move(doc_type, current, target):
            raise InvalidState(doc_id, str(current), action)
        now = utcnow()
        doc.status, doc.updated_at = str(target), now
        session.add(models.DocumentEvent(document_id=doc_id, turn_id=turn_id, from_status=str(current),
                                         to_status=str(target), ts=now))
        return doc

    @staticmethod
    def _move(
        session: Session, doc: models.Document, kind: MoveKind, item: str, qty: Decimal, *,
        turn_id: str | None, from_location: str | None = None, to_location: str | None = None,
        lot: str | None = None, expiry: dt.date | None = None,
    ) -> None:
        session.add(models.StockMove(ts=utcnow(), document_id=doc.id, turn_id=turn_id, kind=str(kind),
                                     site=doc.site, item=item, from_location=from_location,
                                     to_location=to_location, qty=qty, lot=lot, expiry=expiry))

    def _storage_totals(self, rows: dict[StockKey, models.Stock], items: Iterable[str]) -> dict[str, Decimal]:
        totals = dict.fromkeys(items, ZERO)
        for (item, loc), row in rows.items():
            if item in totals and self._kinds[loc] in STORAGE_KINDS:
                totals[item] += row.on_hand - row.reserved
        return totals

    def _low_stock(
        self, session: Session, doc: models.Document, rows: dict[StockKey, models.Stock],
        before: dict[str, Decimal], turn_id: str | None,
    ) -> list[views.LowStock]:
        """Record a low_stock event for each item this change pushed (further) below its safety stock."""
        after = self._storage_totals(rows, before)
        found: list[views.LowStock] = []
        for item, total in sorted(after.items()):
            minimum = self._minimum.get((doc.site, item))
            if minimum is None or total >= minimum or total >= before[item]:
                continue
            low = views.LowStock(site=doc.site, item=item, available=total, minimum=minimum)
            found.append(low)
            session.add(models.LedgerEvent(kind="low_stock", created_at=utcnow(), delivered=False, payload={
                "site": doc.site, "item": item, "available": str(total), "minimum": str(minimum),
                "document": doc.id, "turn_id": turn_id}))
            log.info("ledger.low_stock", site=doc.site, item=item, available=str(total), minimum=str(minimum))
        return found

    # --- sessions and views ----------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._write() as session, session.begin():
            yield session

    @staticmethod
    def _available(session: Session, site: str, item: str) -> dict[str, Decimal]:
        rows = session.execute(select(models.Stock.location, models.Stock.on_hand, models.Stock.reserved)
                               .where(models.Stock.site == site, models.Stock.item == item)).all()
        return {loc: on_hand - reserved for loc, on_hand, reserved in rows}

    def _location_stock(self, row: models.Stock) -> views.LocationStock:
        _, location = self._locations[row.location]
        return views.LocationStock(location=row.location, location_name=location.name, item=row.item,
                                   item_name=self._items[row.item].name, on_hand=row.on_hand,
                                   reserved=row.reserved, available=row.on_hand - row.reserved)

    def _load_documents(self, session: Session, ids: list[str]) -> list[views.Document]:
        docs = session.scalars(select(models.Document).where(models.Document.id.in_(ids))
                               .options(selectinload(models.Document.lines))).all()
        by_id = {doc.id: doc for doc in docs}
        return [self._document_view(by_id[i]) for i in ids]

    def _customer_ref(self, doc: models.Document) -> views.CustomerRef | None:
        """The document's customer; one registered in the document's own (uncommitted) transaction is read
        through that transaction."""
        if not doc.customer:
            return None
        known = self._customers.get(doc.customer)
        session = object_session(doc)
        row = session.get(models.Customer, doc.customer) if known is None and session is not None else None
        if row is not None:
            return views.CustomerRef(code=row.code, name=row.name)
        customer = known or self._customer(doc.customer)
        return views.CustomerRef(code=customer.code, name=customer.name)

    def _document_view(self, doc: models.Document, low: list[views.LowStock] | None = None) -> views.Document:
        lines = [views.DocumentLine(item=line.item, item_name=self._items[line.item].name, qty_base=line.qty_base,
                                    from_location=line.from_location, to_location=line.to_location,
                                    unit_price=line.unit_price, price_unit=line.price_unit,
                                    line_total=line.line_total, lot=line.lot, expiry=line.expiry)
                 for line in doc.lines]
        total: Decimal | None = None
        if doc.type == DocType.sales_order and all(line.line_total is not None for line in lines):
            total = sum((line.line_total for line in lines if line.line_total is not None), ZERO)
        return views.Document(
            id=doc.id, type=DocType(doc.type), status=DocStatus(doc.status), site=doc.site,
            customer=self._customer_ref(doc),
            date=doc.doc_date, device=doc.device, worker=doc.worker, turn_id=doc.turn_id, lines=lines,
            total=total, created_at=doc.created_at, updated_at=doc.updated_at, low_stock=low or [],
            decided_by=doc.decided_by, turns=self._turns_of(doc), delivery_date=doc.delivery_date,
            delivery_place=doc.delivery_place)

    @staticmethod
    def _turns_of(doc: models.Document) -> list[str]:
        """The turns that made the document and changed its status, in order (each once)."""
        session = object_session(doc)
        if session is None:
            return [doc.turn_id] if doc.turn_id else []
        session.flush()
        ids = session.scalars(select(models.DocumentEvent.turn_id)
                              .where(models.DocumentEvent.document_id == doc.id)
                              .order_by(models.DocumentEvent.id)).all()
        return list(dict.fromkeys(i for i in ids if i))


def _customer_of(row: models.Customer) -> Customer:
    return Customer(code=row.code, name=row.name, phone=row.phone, aliases=tuple(row.aliases or ()))
