"""Dates as written on order slips and said aloud: "2025年1月20日", "25.6.18", "1/20", "昨天", "yesterday"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.language.numbers import normalise, parse_number

_ZH_INT = "[零〇一二三四五六七八九十]"
_MONTH_NAMES = (
    "january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug"
    "|september|sept|sep|october|oct|november|nov|december|dec"
)
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 2025年1月20日 / 1月20号 / 二〇二五年一月二十日
    re.compile(
        rf"(?:(?P<y>\d{{4}}|\d{{2}}|{_ZH_INT}{{2,4}})\s*年\s*)?"
        rf"(?P<m>\d{{1,2}}|{_ZH_INT}{{1,3}})\s*月\s*(?P<d>\d{{1,2}}|{_ZH_INT}{{1,3}})\s*[日号]"
    ),
    # 2025/1/22, 2025-02-03, 2025.3.8, 25.6.18 (the same separator twice); after a word and a stop too
    # ("李四.26.4.6"), never inside a longer run of numbers
    re.compile(r"(?<!\d)(?<!\d[./-])(?P<y>\d{4}|\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/-]|\.\d)"),
    # 1/20: month/day of this year (slash only: "1.5" is a number and "1-2" a range)
    re.compile(r"(?<!\d)(?<!\d[./-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/]|\.\d)"),
    # January 20, 2025 / Jan 20
    re.compile(
        rf"(?<![a-z])(?P<mn>{_MONTH_NAMES})\.?\s+"
        r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(?P<y>\d{4}))?(?![\d])"
    ),
    # 20 January 2025 / 20 Jan
    re.compile(
        rf"(?<![\d.])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn>{_MONTH_NAMES})"
        r"\.?(?:,?\s*(?P<y>\d{4}))?(?![a-z\d])"
    ),
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RELATIVE: dict[str, int] = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2,
    "the day before yesterday": -2, "day before yesterday": -2, "yesterday": -1, "today": 0,
    "tomorrow": 1, "the day after tomorrow": 2, "day after tomorrow": 2,
}
# Longest first so "前天" inside "大前天" and "yesterday" inside "day before yesterday" lose.
_RELATIVE_RE = re.compile(
    "|".join(
        rf"(?<![a-z]){re.escape(k)}(?![a-z])" if k.isascii() else re.escape(k)
        for k in sorted(_RELATIVE, key=len, reverse=True)
    )
)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date found in a text: `text[start:end]` spells `value`."""

    value: date
    start: int
    end: int


def parse_date(text: str, today: date) -> date | None:
    """The date the whole of `text` names, or None (also for impossible dates such as 2025/2/30).

    Two-digit years are 20xx; a date without a year is in `today`'s year.
    """
    s = normalise(text).rstrip(",，。.;； ")
    return next((span.value for span in find_dates(s, today) if span.start == 0 and span.end == len(s)), None)


def find_dates(text: str, today: date) -> list[DateSpan]:
    """Every valid, non-overlapping date in `text` (normalised by the caller: NFKC, lower case), in order.

    Offsets index `text`, so an extractor can mask dates before looking for amounts: the digits of
    "26.4.6" are not a quantity.
    """
    found: list[DateSpan] = []
    for span in _candidates(text, today):
        if all(span.end <= f.start or span.start >= f.end for f in found):
            found.append(span)
    return sorted(found, key=lambda f: f.start)


def _candidates(text: str, today: date) -> Iterator[DateSpan]:
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            value = _build(m, today)
            if value is not None:
                yield DateSpan(value, m.start(), m.end())
    for m in _RELATIVE_RE.finditer(text):
        yield DateSpan(today + timedelta(days=_RELATIVE[m.group()]), m.start(), m.end())


def _build(m: re.Match[str], today: date) -> date | None:
    groups = m.groupdict()
    month = _MONTHS.index(groups["mn"][:3]) + 1 if groups.get("mn") else _int(groups["m"])
    day = _int(groups["d"])
    year = _int(groups["y"]) if groups.get("y") else today.year
    if month is None or day is None or year is None:
        return None
    if year < 100:
        year += 2000  # "25.6.18", "二五年": this century
    try:
        return date(year, month, day)
    except ValueError:  # 2025/2/30
        return None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    value = parse_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


@dataclass(frozen=True, slots=True)
class UnclearDateSpan:
    """Digits written where a date goes that read as no date ("20251719": the separators read as digits):
    `readings` are the dates they may mean, likeliest first (possibly none). Never taken as sure."""

    text: str
    start: int
    end: int
    readings: tuple[date, ...]


# A year, then digits and separators that do not make a valid date; not a quantity (no unit word after it) and
# not a phone number (at most 10 characters in all).
_UNIT_AFTER = r"(?!\s*(?:[斤两克饼件个只箱包盒瓶袋根条台吨米]|kg|g(?![a-z])|pcs|pieces?))"
_DATE_LIKE = re.compile(
    rf"(?<!\d)(?<!\d[./-])(?P<y>(?:19|20)\d{{2}})(?P<rest>[\d/.\-]{{2,6}})(?![\d/.\-]){_UNIT_AFTER}")
_SEPARATORS = "/.-"
# What a separator is most often read as by handwriting OCR, and what each guess costs: a "/" read as 1 is the
# likeliest, as 7 next; a separator not written (or not seen) at all costs a little more.
_SEPARATOR_READ_AS = {"1": 0.9, "7": 1.0}
_MISSING_SEPARATOR = 1.1
MAX_READINGS = 3


def find_unclear_dates(text: str, today: date) -> list[UnclearDateSpan]:
    """Year-led runs of digits in `text` (normalised) that are not a valid date, with what they may mean."""
    found = []
    for m in _DATE_LIKE.finditer(text):
        if find_dates(m.group(), today):
            continue
        found.append(UnclearDateSpan(m.group(), m.start(), m.end(), date_readings(m.group(), today)))
    return found


def date_readings(text: str, today: date) -> tuple[date, ...]:
    """The dates a year-led run of digits may mean when some of its separators were read as digits or lost:
    every way of taking 1s and 7s for separators and of adding one missing separator, cheapest first, then the
    closest to `today`; at most `MAX_READINGS`. Dates more than a month ahead are not offered."""
    m = re.fullmatch(r"((?:19|20)\d{2})([\d/.\-]+)", text.strip())
    if m is None:
        return ()
    year, rest = int(m.group(1)), m.group(2)
    costs: dict[date, float] = {}
    for cost, month, day in _splits(rest):
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if value > today + timedelta(days=31):
            continue
        costs[value] = min(cost, costs.get(value, cost))
    ranked = sorted(costs, key=lambda d: (costs[d], abs((d - today).days)))
    return tuple(ranked[:MAX_READINGS])


def _splits(rest: str) -> Iterator[tuple[float, int, int]]:
    """(cost, month, day) for every reading of `rest` as separator, month, separator, day."""
    guessable = [i for i, c in enumerate(rest) if c in _SEPARATOR_READ_AS]
    for mask in range(1 << len(guessable)):
        as_separator = {guessable[b] for b in range(len(guessable)) if mask >> b & 1}
        cost = sum(_SEPARATOR_READ_AS[rest[i]] for i in as_separator)
        marked = "".join("/" if c in _SEPARATORS or i in as_separator else c for i, c in enumerate(rest))
        if not marked.startswith("/"):
            marked, cost = "/" + marked, cost + _MISSING_SEPARATOR
        groups = marked[1:].split("/")
        if len(groups) == 2:
            yield from _month_day(cost, groups[0], groups[1])
        elif len(groups) == 1:  # one separator lost inside the digits
            digits = groups[0]
            for cut in range(1, len(digits)):
                yield from _month_day(cost + _MISSING_SEPARATOR, digits[:cut], digits[cut:])


def _month_day(cost: float, month: str, day: str) -> Iterator[tuple[float, int, int]]:
    if 1 <= len(month) <= 2 and 1 <= len(day) <= 2:
        yield cost, int(month), int(day)
