"""Fields of a message's one reading: values, confidences from the characters, and the alternatives offered."""

from __future__ import annotations

from datetime import date

from assistant.language.extract import extract_mentions
from assistant.language.fields import CharConfidence, FieldReading, read_fields
from assistant.language.resolve import Resolver
from assistant.language.vocabulary import Vocabulary

TODAY = date(2026, 1, 10)


def _fields(text: str, vocabulary: Vocabulary, resolver: Resolver, low: tuple[int, int] | None = None
            ) -> dict[str, FieldReading]:
    confidence = [0.99] * len(text)
    if low is not None:
        confidence[low[0]:low[1]] = [0.6] * (low[1] - low[0])
    chars = CharConfidence(tuple(confidence), (False,) * len(text))
    mentions = extract_mentions(text, vocabulary, resolver, None, TODAY)
    return {f.name: f for f in read_fields(mentions, chars, vocabulary, resolver, TODAY)}


def test_a_clear_note_has_values_and_no_doubt(vocabulary: Vocabulary, resolver: Resolver) -> None:
    fields = _fields("张三,2025年1月20日,购铁观音2斤", vocabulary, resolver)
    assert fields["customer"].value == "C001" and fields["date"].value == "2025-01-20"
    assert fields["item"].value == "TEA-TGY" and fields["amount"].value == "2 斤"
    assert not any(f.low_confidence for f in fields.values())
    assert fields["date"].alternatives == ()  # the year is written


def test_names_that_look_alike_are_offered(vocabulary: Vocabulary, resolver: Resolver) -> None:
    fields = _fields("黄丽 2025-09-30 红茶 4斤", vocabulary, resolver, low=(14, 16))
    item = fields["item"]
    assert item.value == "TEA-HC" and item.low_confidence
    offered = {a.value: a.label for a in item.alternatives}
    assert offered.get("TEA-LC") == "绿茶" and "TEA-HC" not in offered and len(offered) <= 3
    assert fields["customer"].alternatives == ()  # no other customer's name looks like 黄丽


def test_a_date_without_year_offers_the_year_before(vocabulary: Vocabulary, resolver: Resolver) -> None:
    fields = _fields("李四 12/30 龙井 5斤", vocabulary, resolver)
    assert fields["date"].value == "2026-12-30"
    assert [a.value for a in fields["date"].alternatives] == ["2025-12-30"]
    relative = _fields("李四 昨天 龙井 5斤", vocabulary, resolver)
    assert relative["date"].value == "2026-01-09" and relative["date"].alternatives == ()


def test_a_date_that_reads_as_none_is_flagged_with_its_readings_never_defaulted(
        vocabulary: Vocabulary, resolver: Resolver) -> None:
    fields = _fields("张三,20251719,购铁观音2斤", vocabulary, resolver)
    written = fields["date"]
    assert written.text == "20251719" and written.value is None and written.low_confidence
    assert [a.value for a in written.alternatives][:1] == ["2025-07-09"]
    assert fields["amount"].value == "2 斤"  # the digits of the date are not a quantity
    assert not any(f.low_confidence for name, f in fields.items() if name != "date")
