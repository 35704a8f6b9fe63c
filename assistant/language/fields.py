"""The fields a message names (customer, date, item, amount, destination, source), as a person checks them: each
with its value, the confidence of the characters it was read from, and the other readings worth offering.

Built from the one `Reading` of the message, so what is shown is what the dialogue fills."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.language.extract import DateMention, Mentions, NameMention
from assistant.language.quantities import fmt
from assistant.language.resolve import Ambiguous, Match, NotFound, Resolution, Resolver
from assistant.language.vocabulary import TermKind, Vocabulary, has_cjk

LOW_CONFIDENCE = 0.80
CORRECTION_PENALTY = 0.9  # a corrected character is a guess, however sure the recogniser was

FieldName = Literal["customer", "date", "item", "amount", "destination", "source"]
_NAME_FIELDS: frozenset[FieldName] = frozenset({"customer", "item", "destination", "source"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldAlternative(_Frozen):
    """Another reading of a field the person may have meant: a close name, or the year before."""

    value: str  # code or ISO date, as in FieldReading.value
    label: str  # how the person knows it: the name, or the date


class FieldReading(_Frozen):
    """A field of the message with the confidence of the characters it came from. `corrected` when the input's
    correction (OCR lookalikes, vocabulary) changed any of them; `low_confidence` asks the person to check it."""

    name: FieldName
    text: str
    value: str | None  # code (customer, item, location), ISO date, or "number unit" for an amount
    confidence: float
    corrected: bool
    low_confidence: bool
    alternatives: tuple[FieldAlternative, ...] = ()  # best first, never the value itself


@dataclass(frozen=True, slots=True)
class CharConfidence:
    """Per character of the message: how sure its recogniser was, and whether correction changed it. Typed
    words are sure and unchanged (`CharConfidence.sure(text)`)."""

    confidence: tuple[float, ...]
    changed: tuple[bool, ...]

    @classmethod
    def sure(cls, text: str) -> CharConfidence:
        return cls.uniform(text, 1.0)

    @classmethod
    def uniform(cls, text: str, confidence: float) -> CharConfidence:
        return cls((confidence,) * len(text), (False,) * len(text))

    def __add__(self, other: CharConfidence) -> CharConfidence:
        return CharConfidence(self.confidence + other.confidence, self.changed + other.changed)


def read_fields(mentions: Mentions, chars: CharConfidence, vocabulary: Vocabulary, resolver: Resolver,
                today: date) -> tuple[FieldReading, ...]:
    out: list[FieldReading] = []
    if mentions.customer is not None:
        out.append(_name_field("customer", "customer", mentions.customer, chars, vocabulary, resolver))
    if mentions.date is not None:
        out.append(_date_field(mentions.date, chars, today))
    if mentions.item is not None:
        out.append(_name_field("item", "item", mentions.item, chars, vocabulary, resolver))
    if mentions.amount is not None:
        a = mentions.amount.amount
        value = fmt(a.number) + (f" {a.unit_word}" if a.unit_word else "")
        out.append(_field("amount", mentions.amount.text, value, mentions.amount.start, mentions.amount.end, chars,
                          doubtful=mentions.amount.unclear))
    if mentions.destination is not None:
        out.append(_name_field("destination", "location", mentions.destination, chars, vocabulary, resolver))
    if mentions.source is not None:
        out.append(_name_field("source", "location", mentions.source, chars, vocabulary, resolver))
    return tuple(out)


def _name_field(name: FieldName, kind: TermKind, mention: NameMention, chars: CharConfidence, vocabulary: Vocabulary,
                resolver: Resolver) -> FieldReading:
    value = mention.resolution.code if isinstance(mention.resolution, Match) else None
    return _field(name, mention.text, value, mention.start, mention.end, chars,
                  _name_alternatives(kind, mention.text, mention.resolution, vocabulary, resolver))


def _date_field(mention: DateMention, chars: CharConfidence, today: date) -> FieldReading:
    if mention.value is None:  # digits where a date goes that read as none: flagged, with what they may mean
        readings = tuple(FieldAlternative(value=d.isoformat(), label=d.isoformat()) for d in mention.readings)
        return _field("date", mention.text, None, mention.start, mention.end, chars, readings)
    return _field("date", mention.text, mention.value.isoformat(), mention.start, mention.end, chars,
                  _date_alternatives(mention.text, mention.value, today))


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
    name: FieldName, text: str, value: str | None, start: int, end: int, chars: CharConfidence,
    alternatives: tuple[FieldAlternative, ...] = (), *, doubtful: bool = False,
) -> FieldReading:
    """`doubtful`: the reading itself says the value may be wrong (an amount whose unit was unreadable), however
    sure the recogniser was of each character."""
    span = chars.confidence[start:end]
    # A name is checked against the master data: a misread character mostly leaves it unresolved (and asked), so
    # how sure the recogniser was of the word as a whole is what counts. Digits have no such check: one unsure
    # digit or unit makes the value unsure.
    confidence = sum(span) / len(span) if name in _NAME_FIELDS and span else min(span, default=0.0)
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
        low_confidence=value is None or doubtful or confidence < LOW_CONFIDENCE,
        alternatives=alternatives,
    )
