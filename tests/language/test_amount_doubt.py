"""An amount whose unit could not be read is doubtful however sure each character was; field confidences of names
are the word's, of numbers their least sure character's (synthetic sentences, not notes of any set)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.language.extract import extract_mentions
from assistant.language.fields import CharConfidence, FieldReading, read_fields
from assistant.language.resolve import Resolver
from assistant.language.vocabulary import Vocabulary

TODAY = date(2026, 2, 1)


def _amount_unclear(text: str, vocabulary: Vocabulary, resolver: Resolver) -> bool | None:
    m = extract_mentions(text, vocabulary, resolver, "FZ", TODAY)
    return None if m.amount is None else m.amount.unclear


@pytest.mark.parametrize("text", [
    "赵六 订白茶6卷",  # a bare number, then a character where a unit goes that is none
    "赵六 订白茶6%",  # a symbol there
    "订白茶 二斤@",  # a unit, then a symbol glued to it (a half or a digit misread)
    "白茶1斤5",  # a unit, then a digit: the amount goes on in a way not understood
])
def test_what_follows_the_number_makes_it_unclear(vocabulary: Vocabulary, resolver: Resolver, text: str) -> None:
    assert _amount_unclear(text, vocabulary, resolver) is True


@pytest.mark.parametrize("text", [
    "白茶6", "白茶6斤", "白茶6斤，赵六", "赵六买6斤白茶", "赵六买6白茶", "白茶 6 赵六", "白茶6斤。",
    "白茶6斤 2026-01-05",
    "move 3 crankshafts to line A",
])
def test_clean_boundaries_keep_it_clear(vocabulary: Vocabulary, resolver: Resolver, text: str) -> None:
    assert _amount_unclear(text, vocabulary, resolver) is False


def _fields(text: str, confidence: list[float], vocabulary: Vocabulary, resolver: Resolver) -> dict[str, FieldReading]:
    chars = CharConfidence(tuple(confidence), (False,) * len(text))
    mentions = extract_mentions(text, vocabulary, resolver, "FZ", TODAY)
    return {f.name: f for f in read_fields(mentions, chars, vocabulary, resolver, TODAY)}


def test_an_unclear_amount_is_asked_though_every_character_is_sure(vocabulary: Vocabulary,
                                                                   resolver: Resolver) -> None:
    fields = _fields("赵六 订白茶6卷", [0.99] * 8, vocabulary, resolver)
    assert fields["amount"].value == "6" and fields["amount"].confidence == 0.99
    assert fields["amount"].low_confidence
    assert not fields["item"].low_confidence and not fields["customer"].low_confidence


def test_one_unsure_digit_or_unit_makes_the_amount_unsure(vocabulary: Vocabulary, resolver: Resolver) -> None:
    text = "赵六 白茶25斤"
    confidence = [0.99] * len(text)
    confidence[text.index("斤")] = 0.5
    assert _fields(text, confidence, vocabulary, resolver)["amount"].low_confidence


def test_a_name_is_as_sure_as_its_word(vocabulary: Vocabulary, resolver: Resolver) -> None:
    text = "赵六 白茶25斤"
    confidence = [0.99] * len(text)
    confidence[1] = 0.75  # one character of the name a little unsure: the word (0.87 on average) is sure enough
    customer = _fields(text, confidence, vocabulary, resolver)["customer"]
    assert customer.confidence == pytest.approx(0.87) and not customer.low_confidence
    confidence[1] = 0.4
    assert _fields(text, confidence, vocabulary, resolver)["customer"].low_confidence


def test_a_number_after_a_stop_after_a_word_is_read_and_asked(vocabulary: Vocabulary, resolver: Resolver) -> None:
    """"白茶.1.5斤": a comma read as a stop is no decimal point of the number after it; but "白茶.5斤" may be half a
    斤 written without its 0, so such an amount is asked."""
    m = extract_mentions("赵六 白茶.1.5斤", vocabulary, resolver, "FZ", TODAY)
    assert m.amount is not None and m.amount.text == "1.5斤" and m.amount.unclear
    decimal = extract_mentions("赵六 白茶1.5斤", vocabulary, resolver, "FZ", TODAY)
    assert decimal.amount is not None and decimal.amount.text == "1.5斤" and not decimal.amount.unclear


def test_a_stray_stop_between_a_number_and_its_unit(vocabulary: Vocabulary, resolver: Resolver) -> None:
    assert _amount_unclear("赵六 白茶300.克", vocabulary, resolver) is True
    assert _amount_unclear("赵六 白茶300, 2026-01-05", vocabulary, resolver) is False


def test_a_leading_zero_is_a_lost_point(vocabulary: Vocabulary, resolver: Resolver) -> None:
    assert _amount_unclear("赵六 白茶05斤", vocabulary, resolver) is True
    assert _amount_unclear("赵六 白茶0.5斤", vocabulary, resolver) is False
