from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.language.vocabulary import Vocabulary
from vision.correct import Corrector


@pytest.fixture(scope="module")
def corrector(vocabulary) -> Corrector:
    return Corrector(vocabulary)


@pytest.mark.parametrize(("raw", "expected"), [
    # traditional characters, whatever the word (a converter, not a table of names)
    ("陳先生買烏龍茶3斤", "陈先生买乌龙茶3斤"),
    ("質檢區", "质检区"),
    ("普洱茶 2餅", "普洱茶 2饼"),
    # letters for digits inside numbers and dates
    ("2O25年1O月3日 1O斤", "2025年10月3日 10斤"),
    ("l2件", "12件"),
    # one character of a long name misread, and no other name as close
    ("铁观首2斤", "铁观音2斤"),
    ("萊莉花茶", "茉莉花茶"),
    # a tilde or a long dash between digits
    ("2026~3~9", "2026-3-9"),
    ("2026—3—9", "2026-3-9"),
])
def test_corrects(corrector: Corrector, raw: str, expected: str) -> None:
    result = corrector.correct(raw)
    assert result.text == expected
    assert len(result.changed) == len(result.text)
    assert any(result.changed)


@pytest.mark.parametrize("text", [
    "龙井3斤", "绿茶6斤", "5观音2斤", "B-03 B01 A-01", "M8螺栓 20件", "普洱茶", "2025-02-03", "dock 2", "12小红",
    # what cannot be read is left as read, for the reading to flag: lost separators, a name missing a character
    "20251719", "202512/5", "4.小红",
])
def test_leaves_good_text_alone(corrector: Corrector, text: str) -> None:
    result = corrector.correct(text)
    assert result.text == text
    assert not any(result.changed)


def test_every_name_of_the_world_is_left_alone(corrector: Corrector, vocabulary: Vocabulary) -> None:
    for term in vocabulary.all_terms:
        assert corrector.correct(term.text).text == term.text, term.text


@pytest.mark.parametrize(("raw", "expected"), [
    ("3两观音2", "3两观音2"), ("6网观音", "6网观音"), ("七网观音", "七网观音"),
])
def test_a_name_never_takes_a_unit_or_the_place_of_one(corrector: Corrector, raw: str, expected: str) -> None:
    """Right after a number stands a unit (or its misreading): a name laid over it would leave a bare number
    taken in the item's default unit."""
    assert corrector.correct(raw).text == expected


@dataclass(frozen=True)
class _Seen:
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    second: float | None = None


def _seen(text: str, **weighed: tuple[float, tuple[tuple[str, float], ...]]) -> list[_Seen]:
    """Sure characters, except those at the given positions (p0=..., p1=...): (probability, alternatives)."""
    out = [_Seen(0.98) for _ in text]
    for key, (p, alternatives) in weighed.items():
        out[int(key[1:])] = _Seen(p, alternatives)
    return out


def test_a_two_character_name_is_fixed_with_the_recogniser_s_word_for_it(corrector: Corrector) -> None:
    result = corrector.correct("赵穴买白茶", _seen("赵穴买白茶", p1=(0.55, (("去", 0.1), ("六", 0.2)))))
    assert result.text == "赵六买白茶"
    assert result.changed == (False, True, False, False, False)
    assert result.confidence[1] == 0.2  # as sure as the recogniser was of 六 there


def test_without_the_recogniser_s_word_a_short_name_is_left_as_read(corrector: Corrector) -> None:
    assert corrector.correct("赵穴买白茶", _seen("赵穴买白茶", p1=(0.55, (("去", 0.1),)))).text == "赵穴买白茶"
    assert corrector.correct("赵穴买白茶", _seen("赵穴买白茶", p1=(0.55, (("六", 0.005),)))).text == "赵穴买白茶"
    assert corrector.correct("赵穴买白茶").text == "赵穴买白茶"


def test_a_symbol_inside_a_word_is_a_misread_character(corrector: Corrector) -> None:
    assert corrector.correct("买白#", _seen("买白#", p2=(0.5, (("茶", 0.3),)))).text == "买白茶"


def test_separators_are_never_taken_for_a_name(corrector: Corrector) -> None:
    assert corrector.correct("赵,买", _seen("赵,买", p1=(0.5, (("六", 0.4),)))).text == "赵,买"


def test_two_names_backed_alike_are_left_for_the_person(corrector: Corrector) -> None:
    text = "买X茶"
    result = corrector.correct(text, _seen(text, p1=(0.4, (("红", 0.2), ("绿", 0.2)))))
    assert result.text == text


def test_a_name_read_right_but_rivalled_is_as_sure_as_its_contested_character(corrector: Corrector) -> None:
    text = "买红茶3斤"
    result = corrector.correct(text, _seen(text, p1=(0.6, (("绿", 0.3),))))
    assert result.text == text and not any(result.changed)
    assert result.confidence[1:3] == (0.6, 0.6)
    unrivalled = corrector.correct(text, _seen(text, p1=(0.6, (("江", 0.3),))))
    assert unrivalled.confidence[1:3] == (0.6, 0.98)


def test_a_numeral_before_a_unit_is_a_quantity_not_the_end_of_a_name(corrector: Corrector) -> None:
    text = "白茶买四饼"
    assert corrector.correct(text, _seen(text, p2=(0.6, (("李", 0.3),)))).text == text


@pytest.mark.parametrize("text", ["白茶一斤半观音", "三观音", "1斤半观音"])
def test_a_numeral_is_never_overwritten_by_a_name(corrector: Corrector, text: str) -> None:
    assert corrector.correct(text).text == text


def test_a_numeral_inside_a_name_away_from_units_may_be_a_misread(corrector: Corrector) -> None:
    text = "赵五,白茶2斤"  # 赵六 with its 六 misread: this 五 is no quantity (no unit next to it, not before a name)
    result = corrector.correct(text, _seen(text, p1=(0.5, (("六", 0.3),))))
    assert result.text == "赵六,白茶2斤"
