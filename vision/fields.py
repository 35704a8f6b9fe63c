"""Customer, date, item and amount found in the OCR text, each with the confidence of its own characters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.language.extract import extract_mentions
from assistant.language.quantities import fmt
from assistant.language.resolve import Match, Resolver
from assistant.language.vocabulary import Vocabulary
from vision.results import FieldName, FieldReading

LOW_CONFIDENCE = 0.80
CORRECTION_PENALTY = 0.9  # a corrected character is a guess, however sure the recogniser was


@dataclass(frozen=True, slots=True)
class CharInfo:
    """Per character of the turn text: the recogniser's confidence for its line, and whether correction changed it."""

    confidence: tuple[float, ...]
    changed: tuple[bool, ...]


def read_fields(
    text: str, chars: CharInfo, vocabulary: Vocabulary, resolver: Resolver, site: str | None, today: date
) -> tuple[FieldReading, ...]:
    m = extract_mentions(text, vocabulary, resolver, site, today)
    out: list[FieldReading] = []
    if m.customer is not None:
        value = m.customer.resolution.code if isinstance(m.customer.resolution, Match) else None
        out.append(_field("customer", m.customer.text, value, m.customer.start, m.customer.end, chars))
    if m.date is not None:
        out.append(_field("date", m.date.text, m.date.value.isoformat(), m.date.start, m.date.end, chars))
    if m.item is not None:
        value = m.item.resolution.code if isinstance(m.item.resolution, Match) else None
        out.append(_field("item", m.item.text, value, m.item.start, m.item.end, chars))
    if m.amount is not None:
        a = m.amount.amount
        value = fmt(a.number) + (f" {a.unit_word}" if a.unit_word else "")
        out.append(_field("amount", m.amount.text, value, m.amount.start, m.amount.end, chars))
    return tuple(out)


def _field(name: FieldName, text: str, value: str | None, start: int, end: int, chars: CharInfo) -> FieldReading:
    confidence = min(chars.confidence[start:end], default=0.0)
    corrected = any(chars.changed[start:end])
    if corrected:
        confidence *= CORRECTION_PENALTY
    confidence = round(confidence, 3)
    return FieldReading(
        name=name,
        text=text,
        value=value,
        confidence=confidence,
        corrected=corrected,
        low_confidence=value is None or confidence < LOW_CONFIDENCE,
    )
