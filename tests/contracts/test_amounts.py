"""Amounts in Chinese capitals against the People's Bank of China's own examples and the usual edge cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.contracts.amounts import in_capitals


@pytest.mark.parametrize(("amount", "words"), [
    # the examples of 正确填写票据和结算凭证的基本规定 (first form where two are allowed)
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    # whole yuan end with 整; a ten at the head is 壹拾
    ("100000", "壹拾万元整"),
    ("200000", "贰拾万元整"),
    ("10", "壹拾元整"),
    ("110", "壹佰壹拾元整"),
    ("10050", "壹万零伍拾元整"),
    ("101000", "壹拾万壹仟元整"),
    ("1000010", "壹佰万零壹拾元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100001000", "壹亿零壹仟元整"),
    ("98010.00", "玖万捌仟零壹拾元整"),
    ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
    # below one yuan, and 角 / 分 zeros
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("0.56", "伍角陆分"),
    ("1.05", "壹元零伍分"),
    ("1000000.50", "壹佰万元零伍角"),
    ("1000000.05", "壹佰万元零伍分"),
    ("20.30", "贰拾元零叁角"),
    ("25.30", "贰拾伍元叁角"),
])
def test_capitals(amount: str, words: str) -> None:
    assert in_capitals(Decimal(amount)) == words


def test_rounded_half_up_to_the_fen() -> None:
    assert in_capitals(Decimal("0.005")) == "壹分"
    assert in_capitals(Decimal("9.999")) == "壹拾元整"


def test_a_reversal_is_written_with_fu() -> None:
    assert in_capitals(Decimal("-5")) == "负伍元整"


@pytest.mark.parametrize("amount", [Decimal("1e12"), Decimal("NaN"), Decimal("Infinity")])
def test_what_cannot_be_written_is_refused(amount: Decimal) -> None:
    with pytest.raises(ValueError):
        in_capitals(amount)
