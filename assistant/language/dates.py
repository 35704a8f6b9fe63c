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
    # 2025/1/22, 2025-02-03, 2025.3.8, 25.6.18 (the same separator twice)
    re.compile(r"(?<![\d./-])(?P<y>\d{4}|\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/-]|\.\d)"),
    # 1/20: month/day of this year (slash only: "1.5" is a number and "1-2" a range)
    re.compile(r"(?<![\d./-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/]|\.\d)"),
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
