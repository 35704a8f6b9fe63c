from decimal import Decimal

import pytest

from assistant.language.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", "5"), ("1.5", "1.5"), ("2,000", "2000"), ("５", "5"), ("１２", "12"), (" 7 ", "7"),
        ("五", "5"), ("十", "10"), ("二十", "20"), ("二十五", "25"), ("一百二十", "120"), ("两", "2"),
        ("半", "0.5"), ("一点五", "1.5"), ("零点五", "0.5"), ("两千", "2000"), ("〇", "0"), ("零", "0"),
        ("十五", "15"), ("一百零五", "105"), ("一千零二十", "1020"), ("一百二", "120"), ("两千五", "2500"),
        ("三万五", "35000"), ("十万", "100000"), ("二〇二五", "2025"), ("叁拾", "30"),
        ("3千", "3000"), ("1.5万", "15000"), ("2百", "200"),
        ("one", "1"), ("five", "5"), ("Twelve", "12"), ("twenty", "20"), ("thirty", "30"),
        ("twenty-five", "25"), ("twenty five", "25"), ("hundred", "100"), ("a hundred", "100"),
        ("two hundred", "200"), ("a hundred and five", "105"), ("one thousand two hundred", "1200"),
        ("a", "1"), ("half", "0.5"), ("a half", "0.5"), ("one and a half", "1.5"), ("two dozen", "24"),
    ],
)
def test_parse_number(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "  ", "x", "件", "二三十", "十十", "two three", "twenty thirty", "and", "一点", "五件", "1.2.3", "an"]
)
def test_not_a_number(text: str) -> None:
    assert parse_number(text) is None
