"""Lock a transcript to what can be said at the site.

Mandarin: compare pinyin (tone-less, confusions folded, see `speech.pinyin`) of the transcript with
every phrase of the lexicon and replace the best-scoring, non-overlapping spans (dynamic programming
over the transcript). Amounts first: a numeral-sounding run before a unit-sounding syllable
("武艦" wu jian) becomes numerals and unit ("五件"). English: the same over words, with spelling
similarity. Engine-agnostic: it only sees text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from speech.lexicon import Phrase, SiteLexicon
from speech.pinyin import fold, phrase_syllables, readings, similarity
from speech.results import Correction

# A Chinese character, a word of any other script (Latin, digits, Hangul …), or one punctuation mark.
_WORD = r"(?:(?![\u3400-\u9fff\uf900-\ufaff])[^\W_])+"
_TOKEN = re.compile(rf"[\u3400-\u9fff\uf900-\ufaff]|{_WORD}(?:[-']{_WORD})*|\S")
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PAUSES = frozenset(",，、")  # commas the engine puts at pauses ("dock, two"): dropped
_INDEL = 0.8           # cost of a syllable heard but not in the phrase, or missing
_BAD = -1.0


def _threshold(units: int, kind: str) -> float:
    """Short phrases must match almost exactly; long ones survive one badly heard syllable. A two-syllable
    name may have one syllable half right (罗山 luo shan → 螺栓 luo shuan); a command may not."""
    if units == 1:
        return 0.85  # English words only (one Chinese syllable is never matched): plurals, near spellings
    if units == 2:
        return 0.9 if kind == "command" else 0.82
    return 0.78 if units == 3 else 0.75


@dataclass(slots=True)
class _Tok:
    text: str
    keys: tuple[str, ...]   # readings of a Chinese character, or the lower-case word
    cjk: bool
    locked: bool = False    # part of an amount already corrected


@dataclass(frozen=True, slots=True)
class _Unit:
    key: str
    cjk: bool


@dataclass(frozen=True, slots=True)
class _Entry:
    phrase: Phrase
    units: tuple[_Unit, ...]
    folded: frozenset[tuple[str, str] | str]
    written: str  # the phrase as its tokens join: lower case, no spaces


@dataclass(frozen=True, slots=True)
class Corrected:
    text: str
    corrections: tuple[Correction, ...]

    @property
    def quality(self) -> float:
        """The worst match among fuzzy replacements (1.0 when nothing needed fixing)."""
        return min((c.score for c in self.corrections), default=1.0)


class Corrector:
    """Built once per site lexicon; `correct` is pure and cheap (a few ms per utterance)."""

    def __init__(self, lexicon: SiteLexicon) -> None:
        self.lexicon = lexicon
        self._zh = lexicon.language == "zh"
        self._entries = [e for p in lexicon.phrases if (e := self._entry(p)) is not None]
        self._by_written = {e.written for e in self._entries}
        self._sizes = sorted({len(e.units) for e in self._entries}, reverse=True)
        self._units = {u: self._units_of(u) for u in lexicon.units if _CJK.search(u)}
        # Main readings only: 百 also reads "bo", which would turn 调拨 into 调百.
        self._numeral_keys = {phrase_syllables(n)[0]: n for n in lexicon.numerals} if self._zh else {}

    def _units_of(self, text: str) -> tuple[_Unit, ...]:
        units: list[_Unit] = []
        for m in re.finditer(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+", text):
            run = m.group()
            if _CJK.match(run):
                syl = phrase_syllables(run)
                if len(syl) != len(run):
                    syl = tuple(readings(c)[0] if readings(c) else c for c in run)
                units += [_Unit(s, True) for s in syl]
            else:
                units.append(_Unit(run.lower(), False))
        return tuple(units)

    def _entry(self, phrase: Phrase) -> _Entry | None:
        units = self._units_of(_ACRONYM.sub(lambda m: m.group().replace(".", ""), phrase.text))
        if len(units) < 2 and (self._zh or len(units[0].key) < 4 if units else True):
            return None  # one syllable (or a short word) carries too little to match on
        folded = frozenset(fold(u.key) if u.cjk else u.key for u in units)
        written = re.sub(r"\s+", "", _ACRONYM.sub(lambda m: m.group().replace(".", ""), phrase.text)).lower()
        return _Entry(phrase, units, folded, written)

    def correct(self, text: str) -> Corrected:
        text = _ACRONYM.sub(lambda m: m.group().replace(".", ""), text)
        toks = self._tokens(text)
        # Names and commands first (they lock their span: the 二 of 总装二线 is no amount), then amounts.
        out, corrections = self._phrases(toks)
        if self._zh:
            corrections += self._amounts(out)
        return Corrected(self._join(out), tuple(corrections))

    def _tokens(self, text: str) -> list[_Tok]:
        toks: list[_Tok] = []
        for m in _TOKEN.finditer(text):
            t = m.group()
            if _CJK.match(t):
                toks.append(_Tok(t, readings(t), True))
            elif t[0].isalnum():
                toks.append(_Tok(t, (t.lower(),), False))
            elif t not in _PAUSES:
                toks.append(_Tok(t, (), False))  # punctuation: no phrase spans it
        return toks

    # -- amounts ---------------------------------------------------------------------------------
    def _amounts(self, toks: list[_Tok]) -> list[Correction]:
        """"武艦" → "五件": numeral-sounding characters right before a unit-sounding one; after digits ("20顿"),
        the unit alone ("20吨")."""
        found: list[Correction] = []
        for j, tok in enumerate(toks):
            if not tok.cjk or tok.locked or j == 0:
                continue
            unit = self._unit_at(toks, j)
            if unit is None:
                continue
            text, size, score = unit
            i = j
            while (i > 0 and j - i < 4 and toks[i - 1].cjk and not toks[i - 1].locked
                   and self._numeral(toks[i - 1]) is not None):
                i -= 1
            if i == j:
                if toks[j - 1].text.isdigit():  # "20顿": the number was written as digits; only the unit is heard
                    heard = "".join(t.text for t in toks[j:j + size])
                    if heard != text:
                        found.append(Correction(toks[j - 1].text + heard, toks[j - 1].text + text, "amount", None,
                                                round(score, 2)))
                    toks[j:j + size] = [_Tok(ch, readings(ch), True, locked=True) for ch in text]
                continue
            run = toks[i:j]
            genuine = [k for k, t in enumerate(run) if t.text in self.lexicon.numerals]
            if genuine:  # "把十个": 把 is a word, 十 the number
                run = run[genuine[0]:]
                i += genuine[0]
            numerals = "".join(t.text if t.text in self.lexicon.numerals else str(self._numeral(t)) for t in run)
            heard = "".join(t.text for t in toks[i:j + size])
            new = numerals + text
            if heard != new:
                found.append(Correction(heard, new, "amount", None, round(score, 2)))
            for k, ch in enumerate(new):
                toks[i + k] = _Tok(ch, readings(ch), True, locked=True)
            del toks[i + len(new):j + size]  # same length: nothing is deleted
        return found

    def _numeral(self, tok: _Tok) -> str | None:
        if tok.text in self.lexicon.numerals:
            return tok.text
        for key in tok.keys:  # exact readings only: folding would turn 是 (shi) into 四 (si)
            if key in self._numeral_keys:
                return self._numeral_keys[key]
        return None

    def _unit_at(self, toks: list[_Tok], j: int) -> tuple[str, int, float] | None:
        best: tuple[str, int, float] | None = None
        for text, units in self._units.items():
            span = toks[j:j + len(units)]
            if len(span) < len(units) or not all(t.cjk and not t.locked for t in span):
                continue
            # Exact readings only: a folded match would hear 线 (xian) as 箱 (xiang).
            score = min(float(u.key in t.keys) for t, u in zip(span, units, strict=True))
            if score == 1.0 and (best is None or (len(units), score) > (best[1], best[2])):
                best = (text, len(units), score)
        return best

    # -- phrases ---------------------------------------------------------------------------------
    def _written(self, toks: list[_Tok]) -> list[tuple[int, int, str]]:
        """Where a phrase was heard letter for letter: (start, end, its text)."""
        found = []
        for i in range(len(toks)):
            for size in self._sizes:
                span = toks[i:i + size]
                if len(span) == size and all(t.keys for t in span):
                    joined = "".join(t.text for t in span).lower()
                    if joined in self._by_written:
                        found.append((i, i + size, joined))
        return found

    def _phrases(self, toks: list[_Tok]) -> tuple[list[_Tok], list[Correction]]:
        n = len(toks)
        sim = self._unit_sim
        written = self._written(toks)
        # best[i] = (gain, back pointer): the best set of replacements within toks[:i]
        best: list[tuple[float, tuple[int, _Entry, float] | None]] = [(0.0, None)] * (n + 1)
        folded: list[frozenset[tuple[str, str] | str]] = [
            frozenset(fold(k) for k in t.keys) if t.cjk else frozenset(t.keys) for t in toks]
        for i in range(n):
            if best[i][0] > best[i + 1][0]:
                best[i + 1] = (best[i][0], None)
            if not toks[i].keys or toks[i].locked:
                continue
            for entry in self._entries:
                m = len(entry.units)
                for size in (m, m - 1, m + 1):
                    span = toks[i:i + size]
                    if size < 1 or len(span) < size or any(not t.keys or t.locked for t in span):
                        continue
                    # Cheap pre-filter (Chinese): some syllable must sound alike before aligning.
                    sounds = frozenset[tuple[str, str] | str]().union(*folded[i:i + size])
                    if self._zh and len(sounds & entry.folded) < (1 if m <= 3 else 2):
                        continue
                    score = _align(span, entry.units, sim)
                    if score < _threshold(m, str(entry.phrase.kind)):
                        continue
                    if _cuts(i, i + size, entry, written):
                        continue
                    # Gain counts characters covered, weighted so that exact matches beat fuzzy ones:
                    # "曲轴 总装二线" stays, not "曲轴总成" + a fuzzy "总装二线" over "装二线".
                    gain = best[i][0] + size * score * score + (0.01 if size == m else 0.0)
                    if gain > best[i + size][0]:
                        best[i + size] = (gain, (i, entry, score))
        # walk back
        out: list[_Tok] = []
        corrections: list[Correction] = []
        i = n
        pieces: list[tuple[int, int, _Entry, float]] = []
        while i > 0:
            back = best[i][1]
            if back is None:
                i -= 1
                continue
            start, entry, score = back
            pieces.append((start, i, entry, score))
            i = start
        pieces.reverse()
        pos = 0
        for start, end, entry, score in pieces:
            out += toks[pos:start]
            heard = self._join(toks[start:end])
            new = entry.phrase.text
            if self._zh and entry.phrase.kind == "location" and out and out[-1].cjk and not out[-1].locked:
                self._fix_marker(out, corrections)
            if heard.replace(" ", "").lower() != new.replace(" ", "").lower():
                corrections.append(Correction(heard, new, str(entry.phrase.kind), entry.phrase.code, round(score, 2)))
            if heard.replace(" ", "").lower() == new.replace(" ", "").lower():
                out += [_Tok(t.text, t.keys, t.cjk, locked=True) for t in toks[start:end]]
            else:
                out.append(_Tok(new, (), _CJK.search(new) is not None, locked=True))
            pos = end
        out += toks[pos:]
        return out, corrections

    def _fix_marker(self, out: list[_Tok], corrections: list[Correction]) -> None:
        """道/倒 right before a location is the destination marker 到 (and 冲/匆 the source 从)."""
        prev = out[-1]
        for marker in ("到", "从"):
            target = readings(marker)[0]
            if prev.text != marker and any(similarity(k, target) >= 0.9 for k in prev.keys):
                corrections.append(Correction(prev.text, marker, "command", None, 0.9))
                out[-1] = _Tok(marker, readings(marker), True, locked=True)
                return

    def _unit_sim(self, tok: _Tok, unit: _Unit) -> float:
        if tok.cjk != unit.cjk:
            return 0.0
        if tok.cjk:
            return max((similarity(k, unit.key) for k in tok.keys), default=0.0)
        return _word_similarity(tok.keys[0], unit.key)

    def _join(self, toks: Sequence[_Tok]) -> str:
        """Words are spaced, Chinese characters are not; punctuation sticks to what comes before it."""
        text = ""
        prev: _Tok | None = None
        for tok in toks:
            word = not tok.cjk and tok.text[:1].isalnum()
            after_word = prev is not None and not prev.cjk and prev.text[:1].isalnum()
            if (word and prev is not None and not prev.cjk) or (tok.cjk and not self._zh and after_word):
                text += " "
            text += tok.text
            prev = tok
        return text.strip()


def _cuts(start: int, end: int, entry: _Entry, written: Sequence[tuple[int, int, str]]) -> bool:
    """A match may not change a phrase heard letter for letter: it covers the whole of it or none of it, and
    where it covers exactly that, it is that phrase. ("一件曲轴" never becomes "质检区轴", though 一件曲 yi jian qu
    sounds like 质检区 zhi jian qu; "太一台小车" may still become "派一台小车".)"""
    for w_start, w_end, text in written:
        if start < w_end and w_start < end:
            if not (start <= w_start and w_end <= end):
                return True
            if (start, end) == (w_start, w_end) and text != entry.written:
                return True
    return False


def _word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.rstrip("s") == b.rstrip("s") or a.removesuffix("es") == b.removesuffix("es"):
        return 0.95  # plural
    if len(a) < 3 or len(b) < 3 or a.isdigit() or b.isdigit():
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _align(span: Sequence[_Tok], units: Sequence[_Unit], sim: Callable[[_Tok, _Unit], float]) -> float:
    """1 - edit cost / phrase length, with substitution cost 1 - similarity."""
    n, m = len(span), len(units)
    prev = [j * _INDEL for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [i * _INDEL] + [0.0] * m
        for j in range(1, m + 1):
            cur[j] = min(prev[j - 1] + 1.0 - sim(span[i - 1], units[j - 1]), prev[j] + _INDEL, cur[j - 1] + _INDEL)
        prev = cur
    return max(_BAD, 1.0 - prev[m] / m)
