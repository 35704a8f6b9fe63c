"""Sentences the site could have meant, made from what Whisper heard: the closed domain's candidates.

The product space (templates × items × places × customers × amounts) is far too large to score against the audio,
and most of it sounds nothing like the utterance. So the candidates come from the free decode itself:

- **name slots**: every span of the heard sentence that sounds like one of the site's names (pinyin syllables in
  Mandarin, spelling in English; the same similarity the corrector uses, with a looser floor) becomes a slot, filled
  by its few nearest names. The sentence with each slot's nearest name is one candidate; each other filler, swapped
  into that sentence one slot at a time, is another. The rest of the sentence is kept as heard, so the decoder
  sees the speaker's own words around each name.
- **command frames**: one sentence per kind of command, in the words of the site prompt, filled with the nearest
  names of each kind — for when the free decode kept too little of the sentence's shape to swap names into.

No replies ("确认", "Yes."): on the tuning draw a reply chosen for a short utterance was wrong more often than right,
and a made-up "确认" would confirm a stock change. The corrector's reading of the free decode is no candidate either:
the transcript is corrected after rescoring anyway.

Nothing here touches audio: `speech.closed_domain` scores the candidates with Whisper's decoder.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from speech.lexicon import Phrase, SiteLexicon
from speech.pinyin import fold, phrase_syllables, readings, similarity

_CJK_CHAR = r"[\u3400-\u9fff\uf900-\ufaff]"
_TOKEN = re.compile(rf"{_CJK_CHAR}|[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*|[^\s\w]|_")
_CJK = re.compile(_CJK_CHAR)
_NAME_KINDS = ("item", "location", "customer")
_INDEL = 0.8  # cost of a syllable heard but not in the name, or missing (as the corrector)

# A span must sound at least this much like a name to become a slot; a name this close fills a slot found by another.
SLOT_FLOOR = 0.6
FILLER_FLOOR = 0.35
FILLERS_PER_SLOT = 4
MAX_SLOTS = 4
MAX_TOKENS = 40  # a command is shorter: beyond this the decoder was looping, and slots are not sought
_JOINED_PENALTY = 0.05  # matching letters across word breaks is a little less sure
_WORD_HINT = 0.5  # English: a span is aligned to a name only if one of its words is spelt half as one of the name's

# Command frames in the register of the site prompt (`speech.lexicon._PROMPT_HEAD`): one per kind of command.
# {amount} is the amount as heard (left out when none was), the names are each kind's nearest to the utterance.
FRAMES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "zh": (
        ("调拨{amount}{item}到{location}", ("item", "location")),
        ("查询{item}库存", ("item",)),
        ("给{customer}开一单{amount}{item}", ("customer", "item")),
        ("派一台小车到{location}", ("location",)),
    ),
    "en": (
        ("Transfer {amount}{item} to {location}.", ("item", "location")),
        ("How many {item} in stock?", ("item",)),
        ("Sell {amount}{item} to {customer}.", ("item", "customer")),
        ("Send an AGV to {location}.", ("location",)),
    ),
}
_ZH_AMOUNT = re.compile(r"(?:\d+|[零一二两三四五六七八九十百千万半]+)(?:公斤|千克|市斤|[件个只根箱克斤两饼吨])")
_EN_NUMBER = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
              r"fifty|hundred|a dozen|half a)")
_EN_AMOUNT = re.compile(rf"(?i)\b{_EN_NUMBER}(?:[ -]{_EN_NUMBER})*(?: (?:pieces|boxes|grams|kilos|jin|cakes|pcs|"
                        rf"piece|box|gram|kilo|cake|kg|g|tonnes|tonne|tons|ton|t)(?: of)?)?\b")


@dataclass(frozen=True, slots=True)
class Filler:
    """One name that may fill a slot, with how much it sounds like what was heard there (0-1)."""

    text: str
    code: str | None
    kind: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Slot:
    """A span of the heard sentence (token positions) that sounds like a name, and its nearest names, best first."""

    start: int
    end: int
    heard: str
    fillers: tuple[Filler, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence to score. `meaning` says what it would be read as (the codes it names, or its text), so that
    candidates differing only in how a name is said pool their probability; `origin` tells how it was made
    ("heard": the free decode)."""

    text: str
    origin: str
    meaning: tuple[str, ...] = field(default=())
    in_domain: bool = True  # the free decode only when every name in it was heard exactly


@dataclass(slots=True)
class _Tok:
    text: str
    keys: tuple[str, ...]  # readings of a Chinese character, or the lower-case word; () for punctuation
    cjk: bool
    at: int = -1  # where it starts in the text it was read from


@dataclass(frozen=True, slots=True)
class _Name:
    phrase: Phrase
    units: tuple[str, ...]
    cjk: bool
    folded: frozenset[tuple[str, str] | str]


class CandidateGenerator:
    """Built once per site lexicon (like the corrector); `candidates` is pure and takes a few milliseconds."""

    def __init__(self, lexicon: SiteLexicon) -> None:
        self.lexicon = lexicon
        self.language = lexicon.language
        self._zh = lexicon.language == "zh"
        phrases = [p for p in lexicon.phrases if p.kind in _NAME_KINDS and p.code]
        if not self._zh:  # English units are words that get misheard too ("one key" for "one kilo")
            phrases += [Phrase(u, "unit", u) for u in lexicon.units if len(u) >= 3]
        self._names = [n for p in phrases if (n := self._name(p))]

    # -- slots -------------------------------------------------------------------------------------
    def slots(self, heard: str) -> list[Slot]:
        """The spans of `heard` that sound like a site name, each with its nearest names (at most MAX_SLOTS,
        the surest first; slots never overlap)."""
        toks = self._tokens(heard)
        # An amount ("五件", "12 pieces") is no name: its words are not slot material (wu jian is not 吴敏).
        amounts = [m.span() for m in (_ZH_AMOUNT if self._zh else _EN_AMOUNT).finditer(heard)
                   if self._zh or " " in m.group().strip()]  # a bare English number may be a name's ("dock one")
        searched = [t if not any(a <= t.at < b for a, b in amounts) else _Tok(t.text, (), t.cjk, t.at)
                    for t in toks[:MAX_TOKENS]]
        matches = sorted(self._matches(searched), key=lambda m: -m[3])
        slots: list[tuple[int, int, list[Filler]]] = []
        for start, end, name, score in matches:
            home = next((s for s in slots if start < s[1] and s[0] < end), None)
            filler = Filler(name.phrase.text, name.phrase.code, str(name.phrase.kind), round(score, 3))
            if home is None:
                if score >= SLOT_FLOOR and len(slots) < MAX_SLOTS:
                    slots.append((start, end, [filler]))
                continue
            fillers = home[2]
            # Names of the kind that made the slot (a place is not confused with an tea in a sentence's frame),
            # one spelling per code (the nearest to what was heard): aliases of one thing mean the same.
            if len(fillers) < FILLERS_PER_SLOT and filler.kind == fillers[0].kind and all(
                    f.code != filler.code for f in fillers):
                fillers.append(filler)
        slots.sort(key=lambda s: s[0])
        return [Slot(s, e, self._join(toks[s:e]), tuple(f)) for s, e, f in slots]

    def _matches(self, toks: Sequence[_Tok]) -> list[tuple[int, int, _Name, float]]:
        """Each name's best-sounding span of the sentence (one per name), when it is at least FILLER_FLOOR."""
        table: dict[tuple[int, str], float] = {}

        def sim(i: int, unit: str, cjk: bool) -> float:
            if (i, unit) not in table:
                table[i, unit] = self._similar(toks[i], unit, cjk)
            return table[i, unit]

        found: list[tuple[int, int, _Name, float]] = []
        folded = [frozenset(fold(k) for k in t.keys) if t.cjk else frozenset(t.keys) for t in toks]
        for name in self._names:
            m = len(name.units)
            best: tuple[int, int, float] | None = None
            for i in range(len(toks)):
                if not toks[i].keys:
                    continue
                # Cheap pre-filter: the span's first or second syllable or word must sound like one of the name's.
                if self._zh and not (folded[i] & name.folded) and not (i + 1 < len(toks)
                                                                       and folded[i + 1] & name.folded):
                    continue
                if not self._zh and max(sim(k, u, name.cjk) for u in name.units
                                        for k in range(i, min(i + 2, len(toks)))) < _WORD_HINT:
                    continue
                for size in (m, m - 1, m + 1):
                    # A Chinese name is never heard as one syllable: one character matching half of 李四 is noise.
                    shortest = 2 if name.cjk and m > 1 else 1
                    if size < shortest or i + size > len(toks) or any(not t.keys for t in toks[i:i + size]):
                        continue
                    score = _align(i, size, name, sim)
                    if not name.cjk and (size > 1 or len(name.units) > 1):
                        # English names said as one word or two ("coming" for "gao ming"): letters, not words.
                        score = max(score, _word_similarity("".join(t.keys[0] for t in toks[i:i + size]),
                                                            "".join(name.units)) - _JOINED_PENALTY)
                    if score >= FILLER_FLOOR and (best is None or score > best[2]):
                        best = (i, i + size, score)
            if best is not None:
                found.append((best[0], best[1], name, best[2]))
        return found

    def _similar(self, tok: _Tok, unit: str, cjk: bool) -> float:
        if not tok.keys:
            return 0.0  # punctuation, or an amount's word
        if tok.cjk != cjk or (not cjk and (tok.text.isdigit() or unit.isdigit())):
            return 1.0 if tok.text.lower() == unit else 0.0
        if cjk:
            return max((similarity(k, unit) for k in tok.keys), default=0.0)
        return _word_similarity(tok.keys[0], unit)

    # -- candidates --------------------------------------------------------------------------------
    def candidates(self, heard: str, limit: int = 16) -> list[Candidate]:
        """The heard sentence, the sentence with each slot's nearest name and with each other filler swapped in,
        and command frames; no duplicate text, at most `limit`, in that order of priority."""
        toks = self._tokens(heard)
        slots = self.slots(heard)
        out: dict[str, Candidate] = {}

        def add(candidate: Candidate) -> None:
            key = re.sub(r"\s+", "", candidate.text)
            if candidate.text.strip() and key not in out and len(out) < limit:
                out[key] = candidate

        nearest = [s.fillers[0] for s in slots]
        names = self.fill(toks, slots, nearest, "names") if slots else None
        # Every name heard letter for letter: the free decode is itself a sentence of the site's, and competes with
        # the others on equal terms (no slack for it to lose: the slack is for a decode that makes no sense).
        exact = names is not None and re.sub(r"\s+", "", names.text.lower()) == re.sub(r"\s+", "", heard.lower())
        add(Candidate(heard, "heard", names.meaning if exact and names else (heard,), in_domain=exact))
        if names is not None:
            add(names)
            swaps = [(k, f) for k, s in enumerate(slots) for f in s.fillers[1:]]
            swaps.sort(key=lambda kf: -kf[1].similarity)  # the closest alternatives first, whichever slot
            for k, filler in swaps:
                add(self.fill(toks, slots, [*nearest[:k], filler, *nearest[k + 1:]], "swap"))
        for candidate in self._frames(heard, slots):
            add(candidate)
        return list(out.values())

    def fill(self, toks: Sequence[_Tok] | str, slots: Sequence[Slot], fillers: Sequence[Filler],
             origin: str) -> Candidate:
        """The heard sentence with each slot replaced by the given filler (one per slot, in order)."""
        toks = self._tokens(toks) if isinstance(toks, str) else toks
        pieces: list[_Tok] = []
        pos = 0
        for slot, filler in zip(slots, fillers, strict=True):
            pieces += toks[pos:slot.start]
            pieces.append(_Tok(filler.text, (filler.text.lower(),), _CJK.search(filler.text) is not None))
            pos = slot.end
        pieces += toks[pos:]
        meaning = tuple(f"{f.kind}:{f.code}" for f in fillers)
        return Candidate(self._join(pieces), origin, meaning)

    def _frames(self, heard: str, slots: Sequence[Slot]) -> list[Candidate]:
        """Each kind of command with the nearest name of each kind it needs (over all slots); a frame whose
        kinds were not all heard is left out."""
        nearest: dict[str, Filler] = {}
        for slot in slots:
            for filler in slot.fillers:
                if filler.kind not in nearest or filler.similarity > nearest[filler.kind].similarity:
                    nearest[filler.kind] = filler
        amount = _amount(heard, self.language)
        out = []
        for frame, kinds in FRAMES.get(self.language, ()):
            if not all(k in nearest for k in kinds):
                continue
            text = frame.format(amount=amount, **{k: f.text for k, f in nearest.items()})
            out.append(Candidate(text, "frame", tuple(f"{k}:{nearest[k].code}" for k in kinds)))
        return out

    # -- tokens ------------------------------------------------------------------------------------
    def _name(self, phrase: Phrase) -> _Name | None:
        cjk = _CJK.search(phrase.text) is not None
        if cjk:
            units: list[str] = []
            for run in re.findall(rf"{_CJK_CHAR}+|[A-Za-z0-9]+", phrase.text):
                units += phrase_syllables(run) if _CJK.match(run) else [run.lower()]
        else:
            units = phrase.text.lower().split()
        if not units:
            return None
        folded = frozenset(fold(u) if cjk and u.isalpha() and u.islower() else u for u in units)
        return _Name(phrase, tuple(units), cjk, folded)

    def _tokens(self, text: str) -> list[_Tok]:
        toks: list[_Tok] = []
        for m in _TOKEN.finditer(text):
            t = m.group()
            if _CJK.match(t):
                toks.append(_Tok(t, readings(t) or (t,), True, m.start()))
            elif t[0].isalnum():
                toks.append(_Tok(t, (t.lower(),), False, m.start()))
            else:
                toks.append(_Tok(t, (), False, m.start()))
        return toks

    def _join(self, toks: Sequence[_Tok]) -> str:
        text = ""
        prev: _Tok | None = None
        for tok in toks:
            if prev is not None and self._spaced(prev, tok):
                text += " "
            text += tok.text
            prev = tok
        return text.strip()

    def _spaced(self, prev: _Tok, tok: _Tok) -> bool:
        """Mandarin: a space only between two Latin words or numbers ("M8 bolt"); English: before every word,
        never before punctuation."""
        if self._zh:
            return not prev.cjk and not tok.cjk and prev.text[:1].isalnum() and tok.text[:1].isalnum()
        return tok.cjk or tok.text[:1].isalnum()


def _amount(heard: str, language: str) -> str:
    """The first amount said (a number and its unit), as a frame's {amount}: "五件", "12 pieces of "."""
    if language == "zh":
        found = _ZH_AMOUNT.search(heard)
        return found.group() if found else ""
    found = _EN_AMOUNT.search(heard)
    if not found:
        return ""
    return found.group() + " "


def _word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.rstrip("s") == b.rstrip("s"):
        return 0.95
    if len(a) < 2 or len(b) < 2 or a.isdigit() or b.isdigit():
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _align(start: int, size: int, name: _Name, sim: Callable[[int, str, bool], float]) -> float:
    """1 - edit cost / name length, substitution cost 1 - similarity (the corrector's measure), for the `size`
    tokens from `start`."""
    units = name.units
    m = len(units)
    prev = [j * _INDEL for j in range(m + 1)]
    for i in range(1, size + 1):
        cur = [i * _INDEL] + [0.0] * m
        for j in range(1, m + 1):
            cur[j] = min(prev[j - 1] + 1.0 - sim(start + i - 1, units[j - 1], name.cjk), prev[j] + _INDEL,
                         cur[j - 1] + _INDEL)
        prev = cur
    return max(0.0, 1.0 - prev[m] / m)
