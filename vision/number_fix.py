"""Digits, units and date separators misread, taken back where the recogniser itself weighed the right character.

Three places on an order slip say what must stand there: right after a number a unit ("3研" with 饼 among the
alternatives of 研 is 3饼), right before a unit or a date word a number ("了两" with 3 among the alternatives of 了
is 3两, "多月" is 3月), and inside a year-led run of digits that is no date, separators ("2025110120" with / weighed
at both 1s is 2025/10/20). Each fix takes the alternative the recogniser gave there, and that alternative's
probability as the character's confidence. An alternative is never the recogniser's first choice, so its
probability is below one half and every field built on a fixed character is asked about: the person sees the
right value to confirm instead of a wrong or missing one. Nothing is changed without the recogniser's word
for it, nor inside a known name, nor where two dates fit alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from itertools import product

from vision.name_match import MIN_EVIDENCE, LineChars, after_quantity

_DATE_WORDS = frozenset("年月日号")
_ZH_NUMERALS = frozenset("零〇一二三四五六七八九十百千万两半")
_SEPARATORS = "/.-"
_KEEP = frozenset("/.-,，、。:：;；")  # separators are read as written
_YEAR_LED = re.compile(r"(?<![\d/.\-])(?:19|20)\d{2}[\d/.\-]{3,6}(?![\d/.\-])")
MAX_GUESSES = 6  # characters of one run weighed as separators: at most 2**6 readings tried
CLEAR_MARGIN = 2.0  # the likeliest date must be this many times likelier than the next to be taken


class NumberFixer:
    """Built from the master data's one-character units."""

    def __init__(self, units: frozenset[str]) -> None:
        self._units = units

    def fix(self, line: LineChars, names: set[int]) -> None:
        """Fix `line` in place; `names`: positions inside a known name read exactly, never touched."""
        chars = line.chars
        for i, c in enumerate(chars):
            if i in names or c.isdigit() or c.isspace() or c in _ZH_NUMERALS or c in self._units or c in _KEEP:
                continue
            if self._unit_at(chars, i + 1) or (i + 1 < len(chars) and chars[i + 1] in _DATE_WORDS):
                self._take(line, i, lambda a: a.isascii() and a.isdigit())  # where a number must stand
            elif after_quantity(chars, i) and i - 1 not in names:
                self._take(line, i, lambda a: a in self._units)  # where a unit is written
        text = "".join(chars)
        for m in _YEAR_LED.finditer(text):
            end = m.start() + len(m.group().rstrip(_SEPARATORS))  # "2025/1/24." : a comma read as a stop after it
            if text[m.end():].lstrip()[:1] not in self._units:  # "20251112件" is a quantity, not a date
                self._separators(line, m.start(), end)

    def _unit_at(self, chars: list[str], i: int) -> bool:
        """A unit starts at i: a unit character, but not the numeral 两 of "两斤"."""
        if i >= len(chars) or chars[i] not in self._units:
            return False
        return not (chars[i] in _ZH_NUMERALS and i + 1 < len(chars) and chars[i + 1] in self._units)

    @staticmethod
    def _take(line: LineChars, i: int, fits: Callable[[str], bool]) -> None:
        candidates = [(p, a) for a, p in line.alternatives[i].items() if fits(a) and p >= MIN_EVIDENCE]
        if candidates:
            p, a = max(candidates)
            line.chars[i], line.confidence[i] = a, p

    def _separators(self, line: LineChars, start: int, end: int) -> None:
        """A year-led run that reads as no date: its characters the recogniser also took for a separator, tried
        as one; the likeliest valid date is taken when clearly likelier than any other."""
        run = line.chars[start:end]
        if _as_date("".join(run)) is not None:
            return
        guesses = [(i, s, p) for i, c in enumerate(run) if c.isdigit() and i >= 4
                   for s, p in line.alternatives[start + i].items() if s in _SEPARATORS and p >= MIN_EVIDENCE]
        if not guesses or len(guesses) > MAX_GUESSES:
            return
        scored: dict[str, tuple[float, dict[int, float]]] = {}
        for mask in product((False, True), repeat=len(guesses)):
            chosen = [g for g, on in zip(guesses, mask, strict=True) if on]
            if len({i for i, _, _ in chosen}) != len(chosen):
                continue  # one character taken for two separators
            reading = list(run)
            likelihood = 1.0
            for i, s, p in chosen:
                reading[i] = s
                likelihood *= p / max(line.confidence[start + i], 1e-6)
            text = "".join(reading)
            if _as_date(text) is not None and likelihood > scored.get(text, (0.0, {}))[0]:
                scored[text] = (likelihood, {i: p for i, _, p in chosen})
        ranked = sorted(scored.items(), key=lambda kv: -kv[1][0])
        if not ranked or (len(ranked) > 1 and ranked[0][1][0] < CLEAR_MARGIN * ranked[1][1][0]):
            return
        text, (_, taken) = ranked[0]
        for i, p in taken.items():
            line.chars[start + i], line.confidence[start + i] = text[i], p


def _as_date(text: str) -> date | None:
    """The date a year-led run spells with one separator used twice (2025/10/20, 2025-1-5), if any."""
    m = re.fullmatch(r"((?:19|20)\d{2})([/.\-])(\d{1,2})\2(\d{1,2})", text)
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    except ValueError:
        return None


def quantity_positions(chars: list[str], units: frozenset[str]) -> set[int]:
    """Positions of the characters that say a quantity: a number (digits with at most one point, or numerals) that
    is not part of a date (no "/" or "-", not two points, not before 年/月/日/号), the unit right after it and a 半
    after that unit."""
    out: set[int] = set()
    i = 0
    while i < len(chars):
        if not (chars[i].isdigit() or chars[i] in _ZH_NUMERALS):
            i += 1
            continue
        start = i
        while i < len(chars) and (chars[i].isdigit() or chars[i] in _ZH_NUMERALS or chars[i] in "./-"):
            i += 1
        run = "".join(chars[start:i])
        nxt = chars[i] if i < len(chars) else ""
        if "/" in run or "-" in run or run.count(".") > 1 or nxt in _DATE_WORDS:
            continue
        out.update(range(start, i))
        if nxt in units:
            out.add(i)
            if i + 1 < len(chars) and chars[i + 1] == "半":
                out.add(i + 1)
    return out
