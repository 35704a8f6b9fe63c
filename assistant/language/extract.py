"""The extractor: item, locations, customer, amount and date spans in the words of one message.

Deterministic and built on the vocabulary's names, so it works on a fresh install. A name the vocabulary does not
know comes from two places only: a span the NLU model tagged (`tagged`: "飞机", "B区"), and the words right after
an amount with a unit ("调5件飞机到…" → item "飞机", NotFound). `assistant.language.reading` calls it once per
message; its result is what the dialogue fills and what the reply shows.

Order matters: dates first (the digits of "26.4.6" are not a quantity), then names longest first
(the 二 of "总装二线", the 2 of "2号月台", the 6204 of "轴承6204" belong to names), then the tagged names in
the gaps, then amounts in what is left.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from assistant.language.corrections import correction_start
from assistant.language.dates import find_dates, find_unclear_dates
from assistant.language.delivery import find_delivery_dates, find_delivery_place
from assistant.language.numbers import EN_NUMBER_WORDS, ZH_NUMERAL_CHARS, parse_number
from assistant.language.quantities import Amount, parse_amount
from assistant.language.resolve import Ambiguous, Match, Resolution, Resolver
from assistant.language.specs import find_specs
from assistant.language.vocabulary import TermKind, Vocabulary

# Not inside a number, code or decimal; a stop after a word may precede it ("观音.2饼": a comma read as a stop).
_ARABIC = re.compile(r"(?<![\da-z_-])(?<!\d\.)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[十百千万]?")
_ZH_RUN = re.compile(f"[{ZH_NUMERAL_CHARS}]+")
_EN_WORDS = "|".join(sorted(EN_NUMBER_WORDS - {"and"}, key=len, reverse=True))
_EN_RUN = re.compile(rf"(?<![a-z])(?:{_EN_WORDS})(?:[\s-]+(?:and|{_EN_WORDS}))*(?![a-z])")
_SOURCE_BEFORE = re.compile(r"(?:从|自|由|from(?:\s+the)?)\s*$")
_DESTINATION_BEFORE = re.compile(r"(?:到|去|往|至|送|进|入|(?:to|into|onto)(?:\s+the)?)\s*$")
# Characters that end an unknown item name after an amount: prepositions, verbs, particles, punctuation.
_UNKNOWN_ZH = re.compile(r"[\u3400-\u9fff]{1,8}?(?=$|[到去往至给送调从在把吧了的呢啊吗\s,，.。!！?？;；:：、\d])")
# What may follow an amount without making it unclear: the stops and commas that end a phrase.
_BOUNDARY = frozenset(",，、;；.。:：!！?？)）]】\"'”’")
_UNKNOWN_EN = re.compile(r"(?:of\s+)?((?:(?!to\b|into\b|from\b|at\b|for\b|please\b)[a-z][a-z-]*\s*){1,3})")


@dataclass(frozen=True, slots=True)
class NameMention:
    """An item, location or customer name: `text` is the original `text[start:end]`."""

    text: str
    start: int
    end: int
    resolution: Resolution


@dataclass(frozen=True, slots=True)
class AmountMention:
    """`unclear` when what follows the amount is not a word boundary nor a name: a unit written there and misread
    ("4两" read "4网"), so the unit taken (or the item's default) is a guess and the amount must be checked."""

    text: str
    start: int
    end: int
    amount: Amount
    unclear: bool = False


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date the message names; `value` None when digits stand where a date goes but read as none (lost
    separators): then `readings` are what they may mean, and the date must be asked for, never defaulted."""

    text: str
    start: int
    end: int
    value: date | None
    readings: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class DeliveryMention:
    """The latest day the goods are to arrive ("月底前" → the month's last day: assistant/language/delivery.py)."""

    text: str
    start: int
    end: int
    value: date


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """Where the goods are to go, as said after a delivery verb ("送到三水工地" → 三水工地)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mentions:
    """What a message mentions. `item`, `customer` and `date` are the first found; `destination` and
    `source` come from `locations` (a location right after 从/from is the source)."""

    item: NameMention | None = None
    amount: AmountMention | None = None
    destination: NameMention | None = None
    source: NameMention | None = None
    customer: NameMention | None = None
    date: DateMention | None = None
    items: tuple[NameMention, ...] = ()
    locations: tuple[NameMention, ...] = ()
    delivery: DeliveryMention | None = None
    place: PlaceMention | None = None


_M = TypeVar("_M", NameMention, AmountMention, DateMention, DeliveryMention, PlaceMention)


@dataclass(frozen=True, slots=True)
class Tagged:
    """A span of the message the NLU model tagged as an entity (offsets in the original text)."""

    kind: str  # "item", "location", "customer", "amount", "date"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int  # offsets in the normalised text
    end: int
    kind: TermKind


class _Text:
    """The message NFKC-normalised and lower-cased character by character, remembering where each
    character came from so spans can be reported in the original text."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        self.origin: list[int] = []
        for i, ch in enumerate(original):
            for c in unicodedata.normalize("NFKC", ch).lower():
                chars.append(c)
                self.origin.append(i)
        self.norm = "".join(chars)
        self.taken = [False] * len(self.norm)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = [True] * (end - start)

    def span(self, start: int, end: int) -> tuple[str, int, int]:
        a, b = self.origin[start], self.origin[end - 1] + 1
        return self.original[a:b], a, b

    def normalised(self, start: int, end: int) -> tuple[int, int] | None:
        """The normalised offsets of an original span (None when it is empty or out of range)."""
        inside = [i for i, o in enumerate(self.origin) if start <= o < end]
        return (inside[0], inside[-1] + 1) if inside else None


_NAME_KINDS: dict[str, TermKind] = {"item": "item", "location": "location", "customer": "customer"}


def extract_mentions(
    text: str, vocabulary: Vocabulary, resolver: Resolver, site: str | None, today: date,
    tagged: tuple[Tagged, ...] = (),
) -> Mentions:
    """What the message mentions; a correction in it ("…铁观音1斤，不对，是2斤") replaces, kind by kind, what it
    names before the correction word."""
    mentions = _extract(text, vocabulary, resolver, site, today, tagged)
    at = correction_start(text)
    if at is None or at >= len(text):
        return mentions
    tail = _extract(text[at:], vocabulary, resolver, site, today,
                    tuple(Tagged(g.kind, g.start - at, g.end - at) for g in tagged if g.start >= at), correcting=True)
    return _override(mentions, tail, at)


def _override(before: Mentions, after: Mentions, at: int) -> Mentions:
    """`before` with each kind the correcting part names taken from it (its spans moved to the whole message)."""
    def moved(m: _M | None) -> _M | None:
        return None if m is None else replace(m, start=m.start + at, end=m.end + at)

    changes: dict[str, object] = {}
    for kind in ("item", "amount", "destination", "source", "customer", "date", "delivery", "place"):
        corrected = getattr(after, kind)
        if corrected is not None:
            changes[kind] = moved(corrected)
    if after.item is not None:
        changes["items"] = (moved(after.item),)
    if after.destination is not None or after.source is not None:
        changes["locations"] = tuple(m for m in (moved(after.source), moved(after.destination)) if m is not None)
    return replace(before, **changes)  # type: ignore[arg-type]


def _extract(
    text: str, vocabulary: Vocabulary, resolver: Resolver, site: str | None, today: date,
    tagged: tuple[Tagged, ...] = (), correcting: bool = False,
) -> Mentions:
    t = _Text(text)
    deliveries = []
    for deadline in find_delivery_dates(t.norm, today):
        t.take(deadline.start, deadline.end)
        deliveries.append(DeliveryMention(*t.span(deadline.start, deadline.end), deadline.value))
    dates = []
    for found in find_dates(t.norm, today):
        if not t.free(found.start, found.end):
            continue  # a delivery deadline's date ("12月15日前")
        t.take(found.start, found.end)
        dates.append(DateMention(*t.span(found.start, found.end), found.value))
    if not dates:
        for unclear in find_unclear_dates(t.norm, today):
            t.take(unclear.start, unclear.end)
            dates.append(DateMention(*t.span(unclear.start, unclear.end), None, unclear.readings))

    known = _names(t, vocabulary)
    hits = sorted([*known, *_tagged_names(t, tagged, found={h.kind for h in known})], key=lambda h: h.start)
    items = _with_specs(t, [_mention(t, h, resolver, site) for h in hits if h.kind == "item"], resolver)
    customers = [_mention(t, h, resolver, site) for h in hits if h.kind == "customer"]
    location_hits = [h for h in hits if h.kind == "location"]
    locations = [_mention(t, h, resolver, site) for h in location_hits]

    item_hit = next((h for h in hits if h.kind == "item"), None)
    amount_span = _amount(t, vocabulary, item_hit, lone=correcting) or _tagged_amount(t, tagged)
    amount = None
    if amount_span is not None:
        start, end, value = amount_span
        doubt = _unclear_after(t, end, value, vocabulary) or _stop_before(t, start) or _lost_point(t, start)
        amount = AmountMention(*t.span(start, end), value, doubt)
        if item_hit is None and value.unit_word is not None:
            unknown = _unknown_item(t, end, resolver)
            if unknown is not None:
                items.append(unknown)

    source, destination = _roles(t, location_hits, locations)
    found_place = find_delivery_place(t.norm, t.taken)
    place = PlaceMention(*t.span(found_place.start, found_place.end)) if found_place is not None else None
    return Mentions(
        item=items[0] if items else None,
        amount=amount,
        destination=destination,
        source=source,
        customer=customers[0] if customers else None,
        date=dates[0] if dates else None,
        items=tuple(items),
        locations=tuple(locations),
        delivery=deliveries[0] if deliveries else None,
        place=place,
    )


def _with_specs(t: _Text, items: list[NameMention], resolver: Resolver) -> list[NameMention]:
    """A common name shared by items of several sizes ("螺纹钢") picks the one whose size the message adds
    ("16的螺纹钢", "螺纹钢Φ16"); a marked size alone ("Φ16") names the one item of that size. The size's words
    are taken, so they are not read as an amount."""
    specs = [s for s in find_specs(t.norm) if t.free(s.start, s.end)]
    if not specs:
        return items
    out = []
    for mention in items:
        if isinstance(mention.resolution, Ambiguous):
            for spec in specs:
                code = resolver.item_of_size(mention.resolution.codes, spec.size)
                if code is not None:
                    t.take(spec.start, spec.end)
                    mention = replace(mention, resolution=Match(code))
                    break
        out.append(mention)
    if not items:
        for spec in specs:
            code = resolver.item_of_size(None, spec.size)
            if code is not None and t.norm[spec.start] not in "0123456789" + ZH_NUMERAL_CHARS:  # marked: Φ16
                t.take(spec.start, spec.end)
                out.append(NameMention(*t.span(spec.start, spec.end), Match(code)))
                break
    return out


def _term_pattern(term: str) -> str:
    """A name as a regex over normalised text: spaces optional between characters (speech
    transcripts space words unpredictably), Latin names bounded by non-letters, plural -s/-es allowed."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", term).lower())
    body = r"\s*".join(re.escape(c) for c in key)
    if key[0].isascii() and key[0].isalnum():
        body = r"(?<![a-z0-9])" + body
    if key[-1].isascii() and key[-1].isalpha():
        body += r"(?:e?s)?(?![a-z0-9])"
    elif key[-1].isascii() and key[-1].isdigit():
        body += r"(?![0-9])"
    return body


def _names(t: _Text, vocabulary: Vocabulary) -> list[_Hit]:
    """Every vocabulary name in the text, longest first, none overlapping another or a date."""
    candidates: dict[tuple[int, int], TermKind] = {}
    named: list[tuple[str, TermKind]] = [(term.text, term.kind) for term in vocabulary.all_terms
                                         if term.kind != "unit"]
    named += [(stem.text, "location") for stem in vocabulary.stems]
    for name, kind in named:
        for m in re.finditer(_term_pattern(name), t.norm):
            if m.end() > m.start():
                candidates.setdefault((m.start(), m.end()), kind)
    hits: list[_Hit] = []
    for (start, end), kind in sorted(candidates.items(), key=lambda c: (c[0][0] - c[0][1], c[0][0])):
        if t.free(start, end):
            t.take(start, end)
            hits.append(_Hit(start, end, kind))
    return sorted(hits, key=lambda h: h.start)


def _tagged_names(t: _Text, tagged: tuple[Tagged, ...], found: set[TermKind]) -> list[_Hit]:
    """Names the NLU model tagged, of the kinds the vocabulary found none of: unknown names ("飞机"), or parts of
    known ones ("B区"). A kind the vocabulary found is not second-guessed by the model ("茶饭铁观音库存": 铁观音)."""
    hits: list[_Hit] = []
    for span in tagged:
        kind = _NAME_KINDS.get(span.kind)
        if kind in found:
            continue
        at = t.normalised(span.start, span.end) if kind else None
        if kind is None or at is None:
            continue
        start, end = at
        while start < end and not t.norm[start].isalnum():  # the model's span may carry punctuation
            start += 1
        while end > start and not t.norm[end - 1].isalnum():
            end -= 1
        if end > start and t.free(start, end):
            t.take(start, end)
            hits.append(_Hit(start, end, kind))
    return hits


def _tagged_amount(t: _Text, tagged: tuple[Tagged, ...]) -> tuple[int, int, Amount] | None:
    """An amount the model tagged that the rules did not find ("一打"): taken only when it parses."""
    for span in tagged:
        at = t.normalised(span.start, span.end) if span.kind == "amount" else None
        if at is None or not t.free(*at):
            continue
        amount = parse_amount(t.norm[at[0]:at[1]].strip())
        if amount is not None and amount.number > 0:
            return at[0], at[1], amount
    return None


def _mention(t: _Text, hit: _Hit, resolver: Resolver, site: str | None) -> NameMention:
    text, start, end = t.span(hit.start, hit.end)
    if hit.kind == "item":
        resolution = resolver.item(text)
    elif hit.kind == "customer":
        resolution = resolver.customer(text)
    else:
        resolution = resolver.location(text, site)
    return NameMention(text, start, end, resolution)


def _numbers(t: _Text) -> list[tuple[int, int]]:
    """Spans of numbers outside names and dates: Arabic, Chinese numeral runs, English number words."""
    # Search with names and dates blanked out, so "王五两饼" yields 两 and not the 五 of 王五.
    free = "".join("\0" if taken else c for c, taken in zip(t.norm, t.taken, strict=True))
    spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in _ARABIC.finditer(free)]
    for m in _ZH_RUN.finditer(free):
        end = m.end()
        # 两 closing a longer run is the unit liang ("二两"), not part of the number.
        if end - m.start() > 1 and free[end - 1] == "两" and parse_number(free[m.start(): end - 1]):
            end -= 1
        while end > m.start() and parse_number(free[m.start(): end]) is None:
            end -= 1  # "一点" in "快一点" is just 一
        if end > m.start():
            spans.append((m.start(), end))
    for m in _EN_RUN.finditer(free):
        words = m.group().split()
        while words and parse_number(" ".join(words)) is None:
            words.pop()
        if words:
            spans.append((m.start(), m.start() + len(" ".join(words))))
    return spans


def _unit_after(t: _Text, end: int, units: list[str]) -> int | None:
    """End of the unit word right after a number (spaces allowed), with a trailing 半; None if none."""
    rest = t.norm[end:]
    gap = len(rest) - len(rest.lstrip())
    for unit in units:  # longest first
        pos = end + gap
        if t.norm.startswith(unit, pos) and t.free(pos, pos + len(unit)):
            after = pos + len(unit)
            if unit.isascii() and after < len(t.norm) and t.norm[after].isalpha():
                continue  # "g" of "gears"
            if t.norm.startswith("半", after):
                after += 1
            return after
    return None


def _amount(t: _Text, vocabulary: Vocabulary, item: _Hit | None, lone: bool = False
            ) -> tuple[int, int, Amount] | None:
    """The amount of the message: a number with a unit (nearest the item when there are several), else
    a bare number right before or after the item ("five crankshafts", "铁观音2"), else — in the correcting part of
    a message (`lone`: "数量改成8") — its only number. A number with an unknown measure word ("一单", "一台") is
    not an amount of stock."""
    units = sorted({u.text.lower() for u in vocabulary.terms("unit")}, key=len, reverse=True)
    with_unit: list[tuple[int, int, Amount]] = []
    bare: list[tuple[int, int, Amount]] = []
    for start, end in _numbers(t):
        unit_end = _unit_after(t, end, units)
        amount = parse_amount(t.norm[start: unit_end or end])
        if amount is None or amount.number <= 0:
            continue  # "零件" is "parts", not zero pieces
        if unit_end is not None:
            with_unit.append((start, unit_end, amount))
        elif (item is not None and _next_to(t, start, end, item)) or lone:
            bare.append((start, end, amount))
    if lone and not with_unit and len(bare) > 1:
        return None
    if with_unit:
        if item is None:
            return with_unit[0]
        return min(with_unit, key=lambda a: min(abs(a[0] - item.end), abs(item.start - a[1])))
    return bare[0] if bare else None


def _unclear_after(t: _Text, end: int, amount: Amount, vocabulary: Vocabulary) -> bool:
    """Whether the character right after an amount stands where its unit (or more of it) would be written and is
    not readable as anything: a bare number followed by a character that is neither a boundary nor part of a
    name or date found ("4网", "100%", "200卷"), or by a stop and then a unit ("200.克": a stray mark between the
    number and its unit); a number with its unit followed by a symbol or digit ("一斤¥", "1斤5"). A space, a stop
    or comma, the end, or a name (the item of "2铁观音") is a clean boundary."""
    if end >= len(t.norm) or t.taken[end]:
        return False
    c = t.norm[end]
    if amount.unit_word is None and c in _BOUNDARY:
        rest = t.norm[end:].lstrip("".join(_BOUNDARY) + " ")
        return any(rest.startswith(u.text.lower()) for u in vocabulary.terms("unit"))
    if c.isspace() or c in _BOUNDARY:
        return False
    if amount.unit_word is None:
        return True
    return not _is_cjk(c)  # after a unit, words go on ("5斤铁观音", an unknown item): only symbols are unclear


def _stop_before(t: _Text, start: int) -> bool:
    """A stop right before the number, after a word: a separator, or the point of a decimal written without its
    0 ("观音.5斤" may be half a 斤): the amount is asked."""
    return start > 0 and t.norm[start - 1] == "." and (start < 2 or not t.norm[start - 2].isdigit())


def _lost_point(t: _Text, start: int) -> bool:
    """A number written with a leading zero ("05斤"): nobody writes five so; it is 0.5 with its point lost."""
    return t.norm[start] == "0" and start + 1 < len(t.norm) and t.norm[start + 1].isdigit()


def _is_cjk(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _next_to(t: _Text, start: int, end: int, item: _Hit) -> bool:
    if end <= item.start:
        return t.norm[end: item.start].strip() == ""
    return start >= item.end and t.norm[item.end: start].strip(" :：") == ""


def _unknown_item(t: _Text, end: int, resolver: Resolver) -> NameMention | None:
    """The words right after an amount with a unit, when no known item was named."""
    pos = end + len(t.norm[end:]) - len(t.norm[end:].lstrip())
    m = _UNKNOWN_ZH.match(t.norm, pos)
    start, stop = (m.start(), m.end()) if m else (0, 0)
    if not m:
        en = _UNKNOWN_EN.match(t.norm, pos)
        if not en or not en.group(1).strip():
            return None
        start, stop = en.start(1), en.start(1) + len(en.group(1).rstrip())
    if stop <= start or not t.free(start, stop):
        return None
    text, a, b = t.span(start, stop)
    return NameMention(text, a, b, resolver.item(text))


def _roles(
    t: _Text, hits: list[_Hit], mentions: list[NameMention]
) -> tuple[NameMention | None, NameMention | None]:
    """Source and destination among the locations: 从/from marks a source, 到/去/to a destination;
    without a source marker, a location before a marked destination is the source ("A01的曲轴调到总装线A")."""
    source = destination = None
    marked_destination = None
    unmarked: list[int] = []
    for i, hit in enumerate(hits):
        before = t.norm[: hit.start]
        if _SOURCE_BEFORE.search(before):
            source = source if source is not None else i
        elif _DESTINATION_BEFORE.search(before):
            marked_destination = i
        else:
            unmarked.append(i)
    if marked_destination is not None:
        destination = marked_destination
        if source is None:
            source = next((i for i in unmarked if i < marked_destination), None)
    elif unmarked:
        destination = unmarked[-1]
    return (
        None if source is None else mentions[source],
        None if destination is None else mentions[destination],
    )
