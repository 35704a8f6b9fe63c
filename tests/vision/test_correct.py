from __future__ import annotations

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
