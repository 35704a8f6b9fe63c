"""Known names in a line of OCR text whose characters were misread, and names read right that another name rivals.

A window of the line is taken for a known name when the characters that differ are ones the recogniser itself
weighed there (the name's character is among its alternatives: 黄历 with 丽 at 0.23 is 黄丽), or, for names of three
or more characters, when exactly one character differs (萊莉花茶 is 茉莉花茶). Never when another thing's name fits the
same window as well, never over a digit, a unit, punctuation or a space, and never over the character right
after a number, where a unit is written. A character taken from the alternatives gets the probability the
recogniser gave it, so a field built on it is as doubtful as the evidence was.

A name read exactly but where the recogniser also weighed another thing's name (红茶 with 绿 at 0.3 for 红) is only
as sure as its contested character: every character of it gets that character's probability.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

MIN_FUZZY_LEN = 3  # a name this long may have one character fixed without the recogniser's word for it
MIN_EVIDENCE = 0.02  # an alternative the recogniser gave at least this is evidence for a name's character
_ZH_DIGITS = frozenset("零〇一二三四五六七八九十百千万两半")
# What separates the parts of a note (and a date's parts): never overwritten by a name.
_SEPARATORS = frozenset(",，、.。·/-—–~～:：;；!！?？()（）[]【】\"'“”‘’")


@dataclass(slots=True)
class LineChars:
    """A line being corrected: its characters, each one's probability and the alternatives the recogniser weighed
    there (character → probability)."""

    chars: list[str]
    confidence: list[float]
    alternatives: list[Mapping[str, float]]


class NameMatcher:
    """Built from the master data's names (text → the codes of the things it names) and its one-character units."""

    def __init__(self, codes: Mapping[str, set[str]], units: frozenset[str]) -> None:
        self._codes = codes
        self._names = sorted(codes, key=len, reverse=True)
        self._units = units

    def exact_positions(self, chars: list[str]) -> set[int]:
        """Positions of `chars` inside a known name read exactly."""
        text = "".join(chars)
        found = (m for name in self._names for m in re.finditer(re.escape(name), text))
        return {i for m in found for i in range(m.start(), m.end())}

    def fix(self, line: LineChars) -> None:
        """Take misread windows for the names they are, and lower contested exact names, in place."""
        chars = line.chars
        text = "".join(chars)
        # Exact names first: a fixed name may only cover exact ones of the same thing, whole ("萊莉花茶" holds the
        # alias "花茶" of 茉莉花茶), never cut into another thing's name.
        exact: list[tuple[int, int, set[str]]] = []
        for name in self._names:
            exact += [(m.start(), m.end(), self._codes[name]) for m in re.finditer(re.escape(name), text)]
        contested = [(a, b) for a, b, codes in exact
                     if self._rivalled(line, a, "".join(chars[a:b]), codes, backed_only=True)]
        fixed = [False] * len(chars)
        for name in self._names:
            if len(name) < 2:
                continue
            for start in range(len(chars) - len(name) + 1):
                end = start + len(name)
                if any(fixed[start:end]) or any(
                    a < end and start < b
                    and (a < start or b > end or b - a == len(name) or not codes & self._codes[name])
                    for a, b, codes in exact
                ):
                    continue
                support = self._support(line, start, name)
                if support is None or any(not self._replaceable(chars, start + i, start) for i in support):
                    continue
                if chars[end - 1] in _ZH_DIGITS and end < len(chars) and chars[end] in self._units:
                    continue  # "买四饼": the 四 is four 饼, not the end of 李四
                if self._rivalled(line, start, name, self._codes[name]):
                    continue  # another thing's name fits as well: leave it for the person
                for i, evidence in support.items():
                    chars[start + i] = name[i]
                    if evidence >= MIN_EVIDENCE:
                        line.confidence[start + i] = evidence
                fixed[start:end] = [True] * len(name)
                exact.append((start, end, self._codes[name]))
        for a, b in contested:
            lowest = min(line.confidence[a:b])
            line.confidence[a:b] = [lowest] * (b - a)

    def _support(self, line: LineChars, start: int, name: str) -> dict[int, float] | None:
        """The differing positions of `name` laid at `start`, each with the recogniser's probability for the name's
        character there; None when the window is not this name misread (or is the name exactly)."""
        window = line.chars[start: start + len(name)]
        diff = {i: line.alternatives[start + i].get(c, 0.0)
                for i, (a, c) in enumerate(zip(window, name, strict=True)) if a != c}
        if not diff:
            return None
        backed = len(diff) <= max(1, len(name) // 2) and all(p >= MIN_EVIDENCE for p in diff.values())
        if backed or (len(name) >= MIN_FUZZY_LEN and len(diff) == 1):
            return diff
        return None

    def _rivalled(self, line: LineChars, start: int, name: str, codes: set[str], *, backed_only: bool = False) -> bool:
        """Whether another thing's name of the same length fits the window as well: read as it is, or misread
        (with the recogniser's word for its characters, or one character off when long enough; `backed_only`: only
        with the recogniser's word)."""
        window = "".join(line.chars[start: start + len(name)])
        for other in self._names:
            if len(other) != len(name) or self._codes[other] & codes:
                continue
            support = self._support(line, start, other)
            if window == other or (support is not None and (
                    not backed_only or all(p >= MIN_EVIDENCE for p in support.values()))):
                return True
        return False

    def _replaceable(self, chars: list[str], pos: int, start: int) -> bool:
        """May this character be overwritten by a name? Not a separator, space or digit (a number next to a
        name is a quantity: "5观音" is five of 观音, not a misread 铁), nor a numeral that begins the window or
        stands next to a unit (the 半 of "一斤半观音" is half a 斤; the 二 of "张二" may be a misread 三), not a unit
        ("8两观音" is eight 两 of 观音, not 8铁观音), and not whatever stands right after a number, where a unit is
        written: a name guessed there would hide a misread unit and leave a bare number to be taken in the wrong
        unit. Other symbols inside a word ("龙#") are misread characters like any other."""
        c = chars[pos]
        if c.isspace() or c.isdigit() or c in _SEPARATORS or c in self._units:
            return False
        if c in _ZH_DIGITS and (pos == start or _unit_near(self._units, chars, pos)):
            return False  # a numeral before a name or next to a unit is a quantity ("三观音", "一斤半观音")
        # Only a numeral before the name counts: one inside it ("总装一线") is the name's own, not a quantity.
        return not (pos == start and after_quantity(chars, pos))


def _unit_near(units: frozenset[str], chars: list[str], pos: int) -> bool:
    return (pos > 0 and chars[pos - 1] in units) or (pos + 1 < len(chars) and chars[pos + 1] in units)


def after_quantity(chars: list[str], i: int) -> bool:
    """Whether character i follows a number that may be a quantity, so that a unit is written at i: digits (with
    at most one decimal point) or a Chinese numeral; not the end of a date ("2025.4.13张三": a name follows)."""
    if i == 0:
        return False
    if chars[i - 1] in _ZH_DIGITS:
        return True
    start = i
    while start > 0 and (chars[start - 1].isdigit() or chars[start - 1] in "./-"):
        start -= 1
    run = "".join(chars[start:i])
    return run[-1:].isdigit() and run.count(".") <= 1 and "/" not in run and "-" not in run
