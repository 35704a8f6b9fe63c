"""Corrections in the words of one message: the value after the correction word wins, kind by kind."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.language.extract import Mentions, extract_mentions
from assistant.language.resolve import Match, Resolver
from assistant.language.vocabulary import Vocabulary

TODAY = date(2026, 1, 10)


def _read(text: str, vocabulary: Vocabulary, resolver: Resolver) -> Mentions:
    return extract_mentions(text, vocabulary, resolver, None, TODAY)


def test_a_sale_corrected_in_one_breath(vocabulary: Vocabulary, resolver: Resolver) -> None:
    text = "王五买了1斤铁观音，不对，是2斤"
    m = _read(text, vocabulary, resolver)
    assert m.amount is not None and m.amount.text == "2斤" and text[m.amount.start:m.amount.end] == "2斤"
    assert m.item is not None and m.item.resolution == Match("TEA-TGY")
    assert m.customer is not None and m.customer.resolution == Match("C003")


@pytest.mark.parametrize(("text", "kind", "said"), [
    ("不对，是6件", "amount", "6件"),
    ("数量改成8", "amount", "8"),
    ("不是五件是七件", "amount", "七件"),
    ("改到总装线B区", "destination", "总装线B区"),
    ("不是曲轴，是凸轮轴", "item", "凸轮轴"),
    ("调拨5件曲轴到总装线A区，哦不，总装线B区", "destination", "总装线B区"),
    ("no wait, make it 8", "amount", "8"),
    ("move 3 crankshafts to line A, sorry, I meant 4", "amount", "4"),
])
def test_the_value_after_the_correction_word_wins(text: str, kind: str, said: str, vocabulary: Vocabulary,
                                                  resolver: Resolver) -> None:
    mention = getattr(_read(text, vocabulary, resolver), kind)
    assert mention is not None and mention.text == said and text[mention.start:mention.end] == said


def test_a_message_that_takes_nothing_back_reads_as_before(vocabulary: Vocabulary, resolver: Resolver) -> None:
    m = _read("送到三号码头，不是二号", vocabulary, resolver)   # nothing after 不是 names a place
    assert m.destination is not None and m.destination.text == "三号码头"
    m = _read("调拨5件曲轴到总装线B区", vocabulary, resolver)
    assert m.amount is not None and m.amount.text == "5件"
