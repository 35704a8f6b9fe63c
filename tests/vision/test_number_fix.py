"""Digits, units and date separators are taken back only where the recogniser weighed them and the slip says what
stands there (synthetic lines, not notes of any set)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.language.vocabulary import Vocabulary
from vision.correct import Corrector


@pytest.fixture(scope="module")
def corrector(vocabulary: Vocabulary) -> Corrector:
    return Corrector(vocabulary)


@dataclass(frozen=True)
class _Seen:
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    second: float | None = None


def _seen(text: str, weighed: dict[int, tuple[float, tuple[tuple[str, float], ...]]]) -> list[_Seen]:
    out = [_Seen(0.97) for _ in text]
    for i, (p, alternatives) in weighed.items():
        out[i] = _Seen(p, alternatives)
    return out


def test_a_unit_after_a_number(corrector: Corrector) -> None:
    text = "白茶7网"
    result = corrector.correct(text, _seen(text, {3: (0.5, (("两", 0.3), ("门", 0.1)))}))
    assert result.text == "白茶7两" and result.changed[3] and result.confidence[3] == 0.3


def test_a_number_before_a_unit_or_a_date_word(corrector: Corrector) -> None:
    text = "白茶了斤 九月4日"
    result = corrector.correct(text, _seen(text, {2: (0.6, (("7", 0.3),)), 5: (0.9, (("9", 0.05),))}))
    assert result.text == "白茶7斤 九月4日"  # 九 is a numeral already: left as written
    assert result.confidence[2] == 0.3


def test_the_numeral_liang_before_a_unit_is_no_unit(corrector: Corrector) -> None:
    text = "要两斤白茶"
    assert corrector.correct(text, _seen(text, {0: (0.6, (("3", 0.3),))})).text == text


def test_separators_read_as_digits_in_a_date(corrector: Corrector) -> None:
    text = "2026110115 赵六"
    result = corrector.correct(text, _seen(text, {4: (0.8, (("/", 0.15),)), 7: (0.7, (("/", 0.25),))}))
    assert result.text == "2026/10/15 赵六"
    assert result.confidence[4] == 0.15 and result.confidence[7] == 0.25


def test_two_dates_alike_are_left_for_the_person(corrector: Corrector) -> None:
    text = "202611111"  # 2026/1/11 or 2026/11/1, the recogniser as unsure of either
    weighed = {i: (0.8, (("/", 0.2),)) for i in (4, 6, 7)}
    assert corrector.correct(text, _seen(text, weighed)).text == text


@pytest.mark.parametrize("text", ["白茶7网", "2026110115 赵六", "白茶了斤"])
def test_nothing_without_the_recogniser_s_word(corrector: Corrector, text: str) -> None:
    assert corrector.correct(text, _seen(text, {})).text == text
    assert corrector.correct(text).text == text


def test_a_known_name_is_never_taken_for_a_unit(corrector: Corrector) -> None:
    text = "7白茶"
    assert corrector.correct(text, _seen(text, {1: (0.6, (("斤", 0.3),))})).text == text


def test_a_stop_after_the_date_is_not_part_of_it(corrector: Corrector) -> None:
    text = "202611/15.赵六"
    result = corrector.correct(text, _seen(text, {4: (0.7, (("/", 0.2),))}))
    assert result.text == "2026/1/15.赵六"


def test_a_unit_after_a_chinese_numeral(corrector: Corrector) -> None:
    text = "买七广白茶"
    assert corrector.correct(text, _seen(text, {2: (0.2, (("代", 0.15), ("斤", 0.08)))})).text == "买七斤白茶"


def test_after_a_date_comes_no_unit_but_a_name(corrector: Corrector) -> None:
    """The end of a date is no quantity: the name written right after it may be fixed, and no unit is put there."""
    text = "2026.3.14赵穴 白茶2斤"
    result = corrector.correct(text, _seen(text, {10: (0.3, (("六", 0.2), ("斤", 0.25)))}))
    assert result.text == "2026.3.14赵六 白茶2斤"
    after_number = "白茶12照六"  # right after a quantity stands its unit, not a name's first character
    assert corrector.correct(after_number, _seen(after_number, {4: (0.3, (("赵", 0.2),))})).text == after_number


def test_a_quantity_is_as_sure_as_the_less_sure_recogniser(corrector: Corrector) -> None:
    """Digits and unit of an amount take the second recogniser's doubt; a name and a date keep the first's word."""
    text = "赵六 2026-01-05 白茶25斤"
    seen = [_Seen(0.97, (), 0.4) for _ in text]
    result = corrector.correct(text, seen)
    amount = [text.index("25斤") + k for k in range(3)]
    assert [result.confidence[i] for i in amount] == [0.4, 0.4, 0.4]
    assert result.confidence[0] == 0.97 and result.confidence[text.index("2026")] == 0.97
