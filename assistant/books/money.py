"""Money arithmetic of the books: cents rounded half-up, VAT taken out of a tax-included amount exactly, and the
variance between two totals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
COST_PLACES = Decimal("0.000001")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_vat(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, tax) of a VAT-included amount: net rounded to cents half-up, tax the rest, so net + tax == gross."""
    gross = cents(gross)
    net = cents(gross / (1 + rate))
    return net, gross - net


def variance(document_total: Decimal, voucher_total: Decimal) -> Decimal:
    """How far apart the two totals are, as a fraction of the document's (0 when both are 0)."""
    if document_total == 0:
        return Decimal(0) if voucher_total == 0 else Decimal(1)
    return abs(voucher_total - document_total) / abs(document_total)


def moving_average(qty: Decimal, unit_cost: Decimal, qty_in: Decimal, cost_in: Decimal) -> Decimal:
    """The unit cost after `qty_in` arrive at `cost_in` on top of `qty` at `unit_cost` (6 places, half-up).
    Nothing valued on hand (or less than nothing): the incoming cost."""
    if qty <= 0:
        return cost_in.quantize(COST_PLACES, rounding=ROUND_HALF_UP)
    value = qty * unit_cost + qty_in * cost_in
    return (value / (qty + qty_in)).quantize(COST_PLACES, rounding=ROUND_HALF_UP)
