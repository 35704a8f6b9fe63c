"""Names → codes: resolve what a person called an item, a location or a customer."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from assistant.language.vocabulary import TermKind, Vocabulary, has_cjk, match_key
from assistant.world.schema import World


@dataclass(frozen=True, slots=True)
class Match:
    code: str


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several things carry this name ("总装线", "轴"): ask which one. Codes in world order."""

    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    """Nothing carries this name. `suggestions` are codes of similar names, best first (at most 3)."""

    text: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InOtherSite:
    """The name is a location, but of another site than the one asked about."""

    code: str
    site: str


Resolution = Match | Ambiguous | NotFound | InOtherSite

# Words around a name that are not part of it: "到总装线B区", "the crankshaft", "仓库里".
_EN_LEADING = re.compile(r"^(?:(?:to|into|onto|from|at|in|for|of|the|a|an|some)\s+)+")
_ZH_LEADING = ("送到", "送去", "调到", "运到", "放到", "到", "去", "往", "至", "从", "在", "把", "给", "向", "找")
_ZH_TRAILING = ("那里", "那边", "这里", "这边", "里", "上", "的", "了", "吧", "呢", "啊", "吗")
_PUNCTUATION = " \t\r\n,，.。!！?？;；:：、\"'“”‘’()（）"
MAX_SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.5


def clean(text: str) -> str:
    """The match key of what was said, without surrounding particles, prepositions and articles."""
    s = unicodedata.normalize("NFKC", text).lower().strip(_PUNCTUATION)
    s = _EN_LEADING.sub("", s) or s
    key = match_key(s)
    for prefix in _ZH_LEADING:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
            break
    for suffix in _ZH_TRAILING:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


def _singulars(key: str) -> set[str]:
    """"crankshafts" → crankshaft; "boxes" → box: plain English plurals."""
    forms = {key}
    if key.isascii() and len(key) > 3:
        if key.endswith("es"):
            forms.add(key[:-2])
        if key.endswith("s"):
            forms.add(key[:-1])
    return forms


class Resolver:
    """Resolves names against one world's vocabulary. Order of attempts: exact name or alias;
    unique containment (the text contains exactly one thing's name, or exactly one thing's name
    contains the text); ambiguity; otherwise not found, with suggestions by character similarity."""

    def __init__(self, world: World, vocabulary: Vocabulary) -> None:
        self._world = world
        self._vocabulary = vocabulary

    def item(self, text: str) -> Resolution:
        return self._resolve(text, self._pairs("item"))

    def customer(self, text: str) -> Resolution:
        return self._resolve(text, self._pairs("customer"))

    def location(self, text: str, site: str | None) -> Resolution:
        """A location of `site` (any site when None). A name that only fits another site's location
        gives InOtherSite; one that fits several locations of other sites gives NotFound."""
        if site is None:
            return self._resolve(text, self._pairs("location"))
        here = self._resolve(text, self._pairs("location", site))
        if not isinstance(here, NotFound):
            return here
        elsewhere = [(key, code) for key, code in self._pairs("location") if not self._in_site(code, site)]
        found = _match(clean(text), elsewhere)
        if isinstance(found, Match):
            return InOtherSite(found.code, self._world.location(found.code)[0].code)
        return here

    def item_of_size(self, codes: tuple[str, ...] | None, size: Decimal) -> str | None:
        """The one item among `codes` (all items when None) whose spec has this size, else None."""
        candidates = [i for i in self._world.items if (codes is None or i.code in codes) and i.spec_size == size]
        return candidates[0].code if len(candidates) == 1 else None

    def similar(self, kind: TermKind, text: str, exclude: str | None = None) -> tuple[str, ...]:
        """Codes of other names that look like `text` (character similarity), best first, at most three:
        what a person may have meant instead of the name read."""
        query = clean(text)
        pairs = [(key, code) for key, code in self._pairs(kind) if code != exclude]
        return _suggest(query, pairs) if query else ()

    def _in_site(self, code: str, site: str) -> bool:
        return any(loc.code == code for loc in self._world.site(site).locations)

    def _pairs(self, kind: TermKind, site: str | None = None) -> list[tuple[str, str]]:
        return [(match_key(t.text), t.code) for t in self._vocabulary.terms(kind, site)]

    def _resolve(self, text: str, pairs: list[tuple[str, str]]) -> Resolution:
        query = clean(text)
        if not query:
            return NotFound(text)
        return _match(query, pairs) or NotFound(text, _suggest(query, pairs))


def _match(query: str, pairs: Sequence[tuple[str, str]]) -> Match | Ambiguous | None:
    forms = _singulars(query)
    exact = _codes(code for key, code in pairs if key in forms)
    if exact:
        return _one_or_many(exact)
    # The text contains names ("铁观音库存"): a name inside a longer found name does not count
    # separately ("观音" inside "铁观音").
    inside = [(key, code) for key, code in pairs if _usable(key) and key in query]
    inside_codes = _codes(
        code for key, code in inside if not any(key != k and key in k and c != code for k, c in inside)
    )
    if len(inside_codes) == 1:
        return Match(inside_codes[0])
    # The text is part of names ("总装线B" of "总装线B区", "轴" of 曲轴/凸轮轴/轴承).
    around = _codes(code for key, code in pairs if _usable(query) and any(f in key for f in forms))
    if len(around) == 1:
        return Match(around[0])
    if inside_codes or around:
        return Ambiguous(inside_codes or around)
    return None


def _usable(key: str) -> bool:
    """Short Latin fragments ("a", "b2") match too much to count as containment."""
    return has_cjk(key) or len(key) >= 3


def _codes(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _one_or_many(codes: tuple[str, ...]) -> Match | Ambiguous:
    return Match(codes[0]) if len(codes) == 1 else Ambiguous(codes)


def _suggest(query: str, pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    keys = [key for key, _ in pairs]
    close = difflib.get_close_matches(query, keys, n=len(keys), cutoff=SUGGESTION_CUTOFF)
    by_key: dict[str, str] = {}
    for key, code in pairs:
        by_key.setdefault(key, code)
    return _codes(by_key[k] for k in close)[:MAX_SUGGESTIONS]
