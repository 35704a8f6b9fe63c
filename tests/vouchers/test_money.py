"""VAT taken out of awkward totals exactly; the moving average; the variance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.books.money import moving_average, split_vat, variance

RATES = [Decimal("0.13"), Decimal("0.09"), Decimal("0.06"), Decimal("0.03"), Decimal(0)]
CENTS = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))


@given(CENTS, st.sampled_from(RATES))
def test_net_and_tax_add_up_to_the_total(total: Decimal, rate: Decimal) -> None:
    net, tax = split_vat(total, rate)
    assert net + tax == total
    assert net.as_tuple().exponent == tax.as_tuple().exponent == -2
    assert abs(net * (1 + rate) - total) <= Decimal("0.01") * (1 + rate) / 2  # the nearest cent, half-up


@pytest.mark.parametrize(("total", "rate", "net", "tax"), [
    ("168.00", "0.13", "148.67", "19.33"),
    ("0.01", "0.13", "0.01", "0.00"),
    ("0.09", "0.13", "0.08", "0.01"),
    ("1.13", "0.13", "1.00", "0.13"),
    ("100.00", "0.09", "91.74", "8.26"),
    ("33.33", "0.13", "29.50", "3.83"),  # 29.495575… rounds up
    ("0.00", "0.13", "0.00", "0.00"),
])
def test_awkward_totals(total: str, rate: str, net: str, tax: str) -> None:
    assert split_vat(Decimal(total), Decimal(rate)) == (Decimal(net), Decimal(tax))


def test_moving_average() -> None:
    assert moving_average(Decimal(100), Decimal("2.00"), Decimal(100), Decimal("3.00")) == Decimal("2.500000")
    assert moving_average(Decimal(3), Decimal(1), Decimal(0), Decimal(5)) == Decimal("1.000000")
    assert moving_average(Decimal(0), Decimal(9), Decimal(7), Decimal("0.333333333")) == Decimal("0.333333")
    assert moving_average(Decimal(-2), Decimal(9), Decimal(7), Decimal(4)) == Decimal(4)  # nothing valued left


def test_variance() -> None:
    assert variance(Decimal(200), Decimal(201)) == Decimal("0.005")
    assert variance(Decimal(0), Decimal(0)) == 0
    assert variance(Decimal(0), Decimal("0.01")) == 1
