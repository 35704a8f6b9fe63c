"""The one vocabulary of names: items, locations, customers and units, built from the world.

Everything that needs to know the names reads them from here: the Jieba dictionary and the Rasa
lookup tables and synonyms (`assistant/nlu`), the resolver and the fallback extractor, and later the
Vosk grammars and transcript correction. Adding an alias to the world file is the only step needed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from assistant.language.quantities import parse_amount
from assistant.world.schema import World

TermKind = Literal["item", "location", "customer", "unit"]
_NAME_KINDS: tuple[TermKind, ...] = ("item", "location", "customer")
# Jieba part-of-speech tags: other proper noun, place name, person name.
_JIEBA_TAGS: dict[str, str] = {"item": "nz", "location": "ns", "customer": "nr"}
# High enough that Jieba keeps a name whole rather than splitting it into common words.
JIEBA_FREQUENCY = 1_000_000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def match_key(text: str) -> str:
    """The form names are compared in: NFKC (full-width → half-width), lower case, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


@dataclass(frozen=True, slots=True)
class Term:
    """One way of naming a thing. `site` is set for locations (and a site's own unit). `is_primary` marks the display
    name (an item's `name` and `name_en`, a location's or customer's `name`, a unit's first name)."""

    kind: TermKind
    code: str
    site: str | None
    text: str
    is_primary: bool


@dataclass(frozen=True, slots=True)
class Stem:
    """A shared beginning of several locations' names in one site ("总装线" → LINE-A, LINE-B):
    people say it, and it must be recognised as a location so the assistant can ask which one."""

    site: str
    text: str
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    all_terms: tuple[Term, ...]
    stems: tuple[Stem, ...]

    @classmethod
    def from_world(cls, world: World) -> Vocabulary:
        terms: list[Term] = []
        for item in world.items:
            terms += [Term("item", item.code, None, n, n in (item.name, item.name_en)) for n in item.names]
        for site in world.sites:
            for loc in site.locations:
                terms += [Term("location", loc.code, site.code, n, n == loc.name) for n in loc.names]
        for customer in world.customers:
            terms += [Term("customer", customer.code, None, n, n == customer.name) for n in customer.names]
            # English speakers say a Chinese customer's name in pinyin: "Zhang San" for 张三.
            spoken = pinyin_of(customer.name)
            if spoken:
                terms.append(Term("customer", customer.code, None, spoken, False))
        for unit in world.units:
            terms += [Term("unit", unit.code, unit.site, n, i == 0) for i, n in enumerate(unit.names)]
        unique = tuple(dict.fromkeys(terms))  # an alias repeated in the file counts once
        return cls(unique, _stems(unique, [s.code for s in world.sites]))

    def terms(self, kind: TermKind, site: str | None = None) -> tuple[Term, ...]:
        """Terms of one kind; `site` narrows locations (and a site's own units) to one site."""
        return tuple(
            t for t in self.all_terms
            if t.kind == kind and (site is None or t.site is None or t.site == site)
        )

    def jieba_dictionary(self) -> str:
        """A Jieba user dictionary: one "word freq tag" line per Chinese name and location stem.

        Left out: names without Chinese characters (Jieba keeps Latin runs whole by itself, and a
        dictionary line cannot hold a space), unit words (single characters are tokens anyway, and a
        frequent "两" would glue onto neighbours), and any name that reads as numeral + unit (it would
        swallow an amount entity).
        """
        units = {match_key(t.text) for t in self.terms("unit")}
        rows: dict[str, str] = {}
        for term in self.all_terms:
            if term.kind != "unit" and _jieba_ok(term.text, units):
                rows.setdefault(term.text, _JIEBA_TAGS[term.kind])
        for stem in self.stems:
            if _jieba_ok(stem.text, units):
                rows.setdefault(stem.text, _JIEBA_TAGS["location"])
        return "".join(f"{word} {JIEBA_FREQUENCY} {tag}\n" for word, tag in sorted(rows.items()))

    def lookup_tables(self) -> dict[str, list[str]]:
        """Rasa lookup tables for the `item`, `location` and `customer` entities, longest element first
        (a regex alternation takes the first alternative that matches, so "总装线B区" beats "总装线").
        `location` also lists the stems that name several locations ("总装线")."""
        tables: dict[str, list[str]] = {}
        for kind in _NAME_KINDS:
            names = [t.text for t in self.terms(kind)]
            if kind == "location":
                names += [s.text for s in self.stems]
            tables[kind] = sorted(dict.fromkeys(names), key=lambda n: (-len(n), n))
        return tables

    def synonyms(self) -> dict[str, list[str]]:
        """Code → every name of that item, location or customer, primary names first."""
        result: dict[str, list[str]] = {}
        for kind in _NAME_KINDS:
            for term in sorted(self.terms(kind), key=lambda t: not t.is_primary):
                names = result.setdefault(term.code, [])
                if term.text not in names:
                    names.append(term.text)
        return result


def pinyin_of(name: str) -> str | None:
    """"zhang san" for 张三: toneless syllables; None unless the name is all Chinese characters."""
    if not name or not all(_CJK.match(c) for c in name):
        return None
    from pypinyin import lazy_pinyin  # dictionaries load on first use, not at import

    return " ".join(lazy_pinyin(name))


def _jieba_ok(text: str, units: set[str]) -> bool:
    if not has_cjk(text) or re.search(r"\s", text):
        return False
    amount = parse_amount(text)  # "五件" would be an amount, "二号月台" is not (号月台 is no unit)
    return amount is None or amount.unit_word is None or match_key(amount.unit_word) not in units


def _stems(terms: tuple[Term, ...], sites: list[str]) -> tuple[Stem, ...]:
    """Common beginnings of two locations' names in a site that are not a name themselves."""
    stems: list[Stem] = []
    for site in sites:
        names = [t for t in terms if t.kind == "location" and t.site == site]
        known = {match_key(t.text) for t in names}
        found: dict[str, tuple[str, ...]] = {}
        for a, b in itertools.combinations(names, 2):
            if a.code == b.code:
                continue
            stem = _common_prefix(a.text, b.text)
            key = match_key(stem)
            if len(key) < 2 or key in known or stem in found:
                continue
            codes = tuple(sorted({t.code for t in names if key in match_key(t.text)}))
            if len(codes) > 1:
                found[stem] = codes
        stems += [Stem(site, text, codes) for text, codes in sorted(found.items())]
    return tuple(stems)


def _common_prefix(a: str, b: str) -> str:
    """The shared beginning of two names, cut back to a whole Latin word ("A01"/"A02" share nothing,
    "assembly line A"/"assembly line B" share "assembly line")."""
    n = 0
    while n < min(len(a), len(b)) and a[n].lower() == b[n].lower():
        n += 1
    prefix = a[:n]

    def _continues(s: str) -> bool:
        return n < len(s) and s[n].isascii() and s[n].isalnum()

    if prefix and prefix[-1].isascii() and prefix[-1].isalnum() and (_continues(a) or _continues(b)):
        prefix = re.sub(r"[A-Za-z0-9]+$", "", prefix)
    return prefix.strip(" -_")
