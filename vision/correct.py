"""Light, vocabulary-aware correction of OCR lines.

Every rule replaces characters one for one, so each character of the corrected text still points at the
character (and the line confidence) it came from, and the fields built on a corrected character can be
flagged. The rules are general, never written around particular notes:
- every traditional character becomes its simplified form (a real converter, zhconv, character by character);
- full-width forms become their ASCII ones (NFKC, where it stays one character);
- letters read for digits inside numbers and dates (2O25 → 2025, 1O斤 → 10斤);
- a tilde or dash read between digits becomes "-";
- a known name of three or more characters with exactly one character misread (萊莉花茶 → 茉莉花茶), never where
  a number with a unit or a longer digit run would be changed, and never when another name is as close.
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

_DIGIT_LOOKALIKES = {"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "Z": "2"}
_LEADING_LOOKALIKES = {"O", "o", "l", "I", "|"}  # before a digit only these: "B01", "Z3" may be codes
_AFTER_NUMBER = set("年月日号斤两克件个只箱饼.-/")
_TILDE_DASH = re.compile(r"(?<=\d)[~～—–](?=\d)")
MIN_FUZZY_LEN = 3


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


@dataclass(frozen=True, slots=True)
class Corrected:
    text: str
    changed: tuple[bool, ...]  # one flag per character of `text`


class Corrector:
    """Built once from the master data's names (rebuilt when a customer is registered)."""

    def __init__(self, vocabulary: Names) -> None:
        names = {t.text for t in vocabulary.all_terms if t.kind != "unit" and has_cjk(t.text)}
        self._names = sorted(names, key=len, reverse=True)
        self._codes: dict[str, set[str]] = {}
        for t in vocabulary.all_terms:
            if t.text in names:
                self._codes.setdefault(t.text, set()).add(f"{t.kind}:{t.code}")

    def correct(self, raw: str) -> Corrected:
        raw = _nfkc_one_for_one(raw)  # full-width forms are not corrections
        chars = [_simplified(c) for c in raw]
        _digits(chars)
        text = _TILDE_DASH.sub("-", "".join(chars))
        text = self._fuzzy_names(text)
        return Corrected(text, tuple(a != b for a, b in zip(text, raw, strict=True)))


    def _fuzzy_names(self, text: str) -> str:
        # Exact names first: a fuzzy match may only cover exact ones of the same thing, whole
        # ("萊莉花茶" holds the alias "花茶" of 茉莉花茶), never cut into another thing's name.
        exact: list[tuple[int, int, set[str]]] = []
        for name in self._names:
            exact += [(m.start(), m.end(), self._codes[name]) for m in re.finditer(re.escape(name), text)]
        fixed = [False] * len(text)
        chars = list(text)
        for name in self._names:
            if len(name) < MIN_FUZZY_LEN:
                continue
            for start in range(len(chars) - len(name) + 1):
                end = start + len(name)
                if any(fixed[start:end]) or any(
                    a < end and start < b
                    and (a < start or b > end or b - a == len(name) or not codes & self._codes[name])
                    for a, b, codes in exact
                ):
                    continue
                window = chars[start: start + len(name)]
                diff = [i for i, (a, b) in enumerate(zip(window, name, strict=True)) if a != b]
                if len(diff) != 1 or not self._replaceable(chars, start + diff[0]):
                    continue
                if self._rivals(window, name):
                    continue  # equally close to another thing's name: leave it for the person
                chars[start + diff[0]] = name[diff[0]]
                fixed[start:end] = [True] * len(name)
                exact.append((start, end, self._codes[name]))
        return "".join(chars)

    def _replaceable(self, chars: list[str], pos: int) -> bool:
        """May this character be overwritten by a name? Not punctuation, spaces or digits (a digit next to a
        name is a quantity: "5观音" is five of 观音, not a misread 铁)."""
        c = chars[pos]
        return not (c.isspace() or c.isdigit() or unicodedata.category(c).startswith("P"))

    def _rivals(self, window: list[str], name: str) -> bool:
        codes = self._codes[name]
        for other in self._names:
            if len(other) != len(name) or self._codes[other] & codes:
                continue
            if sum(a != b for a, b in zip(window, other, strict=True)) <= 1:
                return True
        return False


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
