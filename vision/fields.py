"""Customer, date, item and amount found in the OCR text, each with the confidence of its own characters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.language.extract import extract_mentions
from assistant.language.quantities import fmt
from assistant.language.resolve import Ambiguous, Match, NotFound, Resolution, Resolver
from assistant.language.vocabulary import TermKind, Vocabulary, has_cjk
from vision.results import FieldAlternative, FieldName, FieldReading

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
        out.append(_field("customer", m.customer.text, value, m.customer.start, m.customer.end, chars,
                          _name_alternatives("customer", m.customer.text, m.customer.resolution, vocabulary, resolver)))
    if m.date is not None:
        out.append(_field("date", m.date.text, m.date.value.isoformat(), m.date.start, m.date.end, chars,
                          _date_alternatives(m.date.text, m.date.value, today)))
    if m.item is not None:
        value = m.item.resolution.code if isinstance(m.item.resolution, Match) else None
        out.append(_field("item", m.item.text, value, m.item.start, m.item.end, chars,
                          _name_alternatives("item", m.item.text, m.item.resolution, vocabulary, resolver)))
    if m.amount is not None:
        a = m.amount.amount
        value = fmt(a.number) + (f" {a.unit_word}" if a.unit_word else "")
        out.append(_field("amount", m.amount.text, value, m.amount.start, m.amount.end, chars))
    return tuple(out)


def _name_alternatives(
    kind: TermKind, text: str, resolution: Resolution, vocabulary: Vocabulary, resolver: Resolver
) -> tuple[FieldAlternative, ...]:
    """The candidates of an ambiguous name, the suggestions for an unknown one, or the names that look like
    the one read (红茶 / 绿茶): a tap away for the person checking the draft."""
    if isinstance(resolution, Ambiguous):
        codes = resolution.codes
    elif isinstance(resolution, NotFound):
        codes = resolution.suggestions
    else:
        codes = resolver.similar(kind, text, exclude=resolution.code if isinstance(resolution, Match) else None)
    return tuple(FieldAlternative(value=code, label=_label(vocabulary, kind, code)) for code in codes)


def _label(vocabulary: Vocabulary, kind: TermKind, code: str) -> str:
    names = [t for t in vocabulary.terms(kind) if t.code == code]
    best = next((t for t in names if t.is_primary and has_cjk(t.text)), None) or next(
        (t for t in names if t.is_primary), names[0] if names else None)
    return best.text if best else code


def _date_alternatives(text: str, value: date, today: date) -> tuple[FieldAlternative, ...]:
    """A month and day written without a year are taken in this year; the same day a year earlier is the
    other reading (last December's slip read in January). Dates with a year, and 昨天/today, have none."""
    runs = re.findall(r"\d+", text)
    is_month_day = bool(runs) or "月" in text
    year_written = "年" in text or len(runs) >= 3 or any(len(r) == 4 for r in runs)
    if not is_month_day or year_written:
        return ()
    try:
        earlier = value.replace(year=value.year - 1)
    except ValueError:  # 29 February
        earlier = value - timedelta(days=365)
    return (FieldAlternative(value=earlier.isoformat(), label=earlier.isoformat()),)


def _field(
    name: FieldName, text: str, value: str | None, start: int, end: int, chars: CharInfo,
    alternatives: tuple[FieldAlternative, ...] = (),
) -> FieldReading:
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
        alternatives=alternatives,
    )
