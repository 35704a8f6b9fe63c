"""Light, vocabulary-aware correction of OCR lines.

Every rule replaces characters one for one, so each character of the corrected text still points at the
character (and the confidence) it came from, and the fields built on a corrected character can be
flagged. The rules are general, never written around particular notes:
- every traditional character becomes its simplified form (a real converter, zhconv, character by character);
- full-width forms become their ASCII ones (NFKC, where it stays one character);
- letters read for digits inside numbers and dates (2O25 → 2025, 1O斤 → 10斤);
- a tilde or dash read between digits becomes "-";
- a known name with characters misread (`vision.name_match`): where the recogniser itself weighed the name's
  characters (黄历 with 丽 among its alternatives), or a name of three or more characters with exactly one character
  misread (萊莉花茶 → 茉莉花茶); never over a digit or a unit, nor right after a number, and never when another
  name is as close. A name read right that another name rivals keeps only its contested character's confidence.
- a digit, a unit or a date's separator misread, where the recogniser weighed the right one and the slip says what
  stands there (`vision.number_fix`: a unit after a number, a number before a unit, separators in a year-led run).
What cannot be read this way (a date whose separators were lost, a name missing a character) is left as read:
the reading flags it and the person is asked, never guessed for.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import zhconv

from vision.name_match import LineChars, NameMatcher
from vision.number_fix import NumberFixer, quantity_positions

_DIGIT_LOOKALIKES = {"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "Z": "2"}
_LEADING_LOOKALIKES = {"O", "o", "l", "I", "|"}  # before a digit only these: "B01", "Z3" may be codes
_AFTER_NUMBER = set("年月日号斤两克件个只箱饼吨.-/")
_TILDE_DASH = re.compile(r"(?<=\d)[~～—–](?=\d)")


class Name(Protocol):
    """One way of naming a thing of the master data."""

    @property
    def text(self) -> str: ...

    @property
    def kind(self) -> str: ...  # "item", "location", "customer" or "unit"

    @property
    def code(self) -> str: ...


class Names(Protocol):
    """What OCR correction needs of the master data: every name, with the kind and code of what it names
    (`assistant.language.vocabulary.Vocabulary` is one)."""

    @property
    def all_terms(self) -> Sequence[Name]: ...


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


class CharEvidence(Protocol):
    """What the recogniser said about one character (`vision.recognise.CharReading` is one)."""

    @property
    def confidence(self) -> float: ...

    @property
    def alternatives(self) -> tuple[tuple[str, float], ...]: ...

    @property
    def second(self) -> float | None: ...  # a second recogniser's probability for the character, if it has one


@dataclass(frozen=True, slots=True)
class Corrected:
    text: str
    changed: tuple[bool, ...]  # one flag per character of `text`
    confidence: tuple[float, ...]  # one per character of `text`: the recogniser's probability for it


class Corrector:
    """Built once from the master data's names (rebuilt when a customer is registered)."""

    def __init__(self, vocabulary: Names) -> None:
        names = {t.text for t in vocabulary.all_terms if t.kind != "unit" and has_cjk(t.text)}
        codes: dict[str, set[str]] = {}
        for t in vocabulary.all_terms:
            if t.text in names:
                codes.setdefault(t.text, set()).add(f"{t.kind}:{t.code}")
        units = frozenset(t.text for t in vocabulary.all_terms if t.kind == "unit" and len(t.text) == 1)
        self._matcher = NameMatcher(codes, units)
        self._numbers = NumberFixer(units)
        self._units = units

    def correct(self, raw: str, evidence: Sequence[CharEvidence] | None = None,
                confidence: float = 1.0) -> Corrected:
        """`evidence`, one per character of `raw` when the recogniser gave it; else every character has
        `confidence` (its line's) and no alternatives."""
        raw = _nfkc_one_for_one(raw)  # full-width forms are not corrections
        chars = [_simplified(c) for c in raw]
        _digits(chars)
        chars = list(_TILDE_DASH.sub("-", "".join(chars)))
        chars_before = list(chars)
        if evidence is not None and len(evidence) == len(raw):
            line = LineChars(chars, [e.confidence for e in evidence], [_normalised(e.alternatives) for e in evidence])
        else:
            line = LineChars(chars, [confidence] * len(chars), [{} for _ in chars])
        self._numbers.fix(line, self._matcher.exact_positions(line.chars))
        self._matcher.fix(line)
        if evidence is not None and len(evidence) == len(raw):
            self._doubt_quantities(line, chars_read=chars_before, evidence=evidence)
        text = "".join(line.chars)
        return Corrected(text, tuple(a != b for a, b in zip(text, raw, strict=True)), tuple(line.confidence))


    def _doubt_quantities(self, line: LineChars, chars_read: list[str], evidence: Sequence[CharEvidence]) -> None:
        """A quantity's digits and unit are as sure as the less sure of two recognisers. Nothing checks a number
        (a name has the master data): a misread one is only caught where the recognisers disagree. Names and dates
        keep the first recogniser's word; doubting them too asked about three times as many fields read right,
        for no misread caught (measured on the notes dev set)."""
        for i in quantity_positions(line.chars, self._units):
            second = evidence[i].second
            if second is not None and line.chars[i] == chars_read[i]:
                line.confidence[i] = min(line.confidence[i], second)


def _normalised(alternatives: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """Alternatives in the form the text is corrected to (simplified, NFKC), the likelier where two meet."""
    out: dict[str, float] = {}
    for c, p in alternatives:
        n = unicodedata.normalize("NFKC", c)
        key = _simplified(n if len(n) == 1 else c)
        out[key] = max(p, out.get(key, 0.0))
    return out


@functools.lru_cache(maxsize=4096)
def _simplified(c: str) -> str:
    """The simplified form of a traditional character (zhconv's tables), where it is one character."""
    if not _is_cjk(c):
        return c
    s = zhconv.convert(c, "zh-cn")
    return s if len(s) == 1 else c


def _nfkc_one_for_one(text: str) -> str:
    """NFKC per character where it stays one character (full-width digits and letters, ideographic forms)."""
    out = []
    for c in text:
        n = unicodedata.normalize("NFKC", c)
        out.append(n if len(n) == 1 else c)
    return "".join(out)


def _digits(chars: list[str]) -> None:
    """Letters that look like digits, where the neighbours say a number is being written."""
    for _ in range(2):  # "1OO斤": the second O is decided after the first
        for i, c in enumerate(chars):
            if c not in _DIGIT_LOOKALIKES:
                continue
            before = chars[i - 1] if i > 0 else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                continue  # part of a word or code ("Lot", "B-03" stays)
            if before.isdigit() and (after.isdigit() or after in _AFTER_NUMBER or after == ""):
                chars[i] = _DIGIT_LOOKALIKES[c]
            elif c in _LEADING_LOOKALIKES and after.isdigit() and before in ("", " ", "/", "-", ".", ","):
                nxt = chars[i + 2] if i + 2 < len(chars) else ""
                if nxt.isdigit() or nxt in _AFTER_NUMBER:
                    chars[i] = _DIGIT_LOOKALIKES[c]



def _is_cjk(c: str) -> bool:
    return bool(c) and "\u4e00" <= c <= "\u9fff"
