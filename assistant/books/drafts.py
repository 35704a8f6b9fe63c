"""Voucher drafts from a sale's figures (pure: no database). A draft is balanced by construction; `check_balanced`
is the guard the posting runs anyway."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from assistant.books.errors import UnbalancedVoucher
from assistant.books.models import VoucherEvent
from assistant.books.money import cents, split_vat
from assistant.world.schema import Books, Item

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class DraftLine:
    account: str
    summary: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    item: str | None = None  # cost lines: the item and quantity they value
    qty: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    event: VoucherEvent
    summary: str
    lines: tuple[DraftLine, ...]

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class SoldLine:
    item: str
    qty: Decimal  # base units
    total: Decimal | None  # VAT included, as on the document line; None: unpriced


def check_balanced(document: str, draft: Draft) -> None:
    if draft.debit != draft.credit:
        raise UnbalancedVoucher(document, draft.debit, draft.credit)


def sale_draft(books: Books, items: Mapping[str, Item], document: str, customer: str | None,
               lines: Sequence[SoldLine]) -> Draft | None:
    """Dr receivable (the total, VAT included) / Cr revenue (net) / Cr output VAT, one revenue and one VAT line per
    rate. None when the sale has no price (nothing to book) or comes to nothing."""
    if not lines or any(line.total is None for line in lines):
        return None
    gross: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        assert line.total is not None
        gross[books.rate(items[line.item].tax).code] += cents(line.total)
    total = sum(gross.values(), ZERO)
    if total == 0:
        return None
    summary = f"销售 {document}" + (f" {customer}" if customer else "")
    out = [DraftLine(books.postings.receivable, summary, debit=total)]
    for code in sorted(gross):
        rate = books.rate(code).rate
        net, tax = split_vat(gross[code], rate)
        label = f"{summary} 税率{(rate * 100).normalize():f}%"
        out.append(DraftLine(books.postings.revenue, label, credit=net))
        if tax:
            out.append(DraftLine(books.postings.output_vat, label, credit=tax))
    return Draft(VoucherEvent.sale, summary, tuple(out))


def delivery_draft(books: Books, items: Mapping[str, Item], document: str,
                   costs: Sequence[tuple[str, Decimal, Decimal]]) -> Draft | None:
    """Dr cost of goods sold / Cr inventory per item, at (item, qty, unit cost) each rounded to cents. None when it
    comes to nothing."""
    summary = f"结转销售成本 {document}"
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    sold: dict[str, Decimal] = defaultdict(Decimal)
    for item, qty, unit_cost in costs:
        amounts[item] += qty * unit_cost
        sold[item] += qty
    out: list[DraftLine] = []
    for item, amount in amounts.items():
        value = cents(amount)
        if value:
            label = f"{summary} {items[item].name}"
            out += [DraftLine(books.postings.cost_of_sales, label, debit=value, item=item, qty=sold[item]),
                    DraftLine(books.postings.inventory, label, credit=value, item=item, qty=sold[item])]
    return Draft(VoucherEvent.delivery, summary, tuple(out)) if out else None


def reversal_draft(event: VoucherEvent, summary: str, lines: Sequence[DraftLine]) -> Draft:
    """A posted voucher in red (红字冲销): the same accounts and lines, every amount negated."""
    return Draft(event, f"冲销 {summary}", tuple(
        DraftLine(line.account, f"冲销 {line.summary}", debit=-line.debit, credit=-line.credit, item=line.item,
                  qty=line.qty) for line in lines))
