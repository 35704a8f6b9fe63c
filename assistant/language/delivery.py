"""When and where an order is to be delivered: "月底前送到", "下周三", "3天内", "12月15日前", "送到三水工地",
"by the end of the month", "within 3 days".

A delivery date is the latest day the goods may arrive (a deadline, not an appointment):
- 月底(前) / 本月底 / end of the month: the last day of this month; 下月底: the last day of next month;
- 下周三 / 下星期三 / next Wednesday: the Wednesday of next week (weeks start on Monday);
- (本周 / 这周)周五前: this week's Friday (next week's when that day has passed);
- N天内 / N天之内 / within N days: today + N; 一周内 / 两周内: today + 7 / 14;
- a date followed by 前 / 之前 / 以前 / 送 (12月15日前, 明天送到) or after "by": that date.
Offsets index the normalised text (NFKC, lower case), like `assistant.language.dates`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.language.dates import find_dates
from assistant.language.numbers import EN_NUMBER_WORDS, ZH_NUMERAL_CHARS, parse_number

_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1, "3": 2,
                "4": 3, "5": 4, "6": 5, "7": 6}
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_BEFORE = r"(?:之前|以前|前)"
_NUMBER = rf"(?:\d+|[{ZH_NUMERAL_CHARS}]+)"
_EN_NUMBER = "|".join(sorted(EN_NUMBER_WORDS - {"and"}, key=len, reverse=True))

_MONTH_END = re.compile(rf"(?P<next>下个?)?(?:这个|本)?月(?:底|末){_BEFORE}?|(?:by\s+)?(?:the\s+)?end\s+of\s+"
                        rf"(?:the\s+|this\s+)?(?P<next_en>next\s+)?month")
_NEXT_WEEKDAY = re.compile(rf"下个?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7]){_BEFORE}?"
                           rf"|(?:by\s+)?next\s+(?P<en>{'|'.join(_WEEKDAYS_EN)})")
_THIS_WEEKDAY = re.compile(rf"(?:这|本)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])(?={_BEFORE}|送|到货|交货)"
                           rf"{_BEFORE}?|by\s+(?:this\s+)?(?P<en>{'|'.join(_WEEKDAYS_EN)})")
_WITHIN_DAYS = re.compile(rf"(?P<n>{_NUMBER})\s*(?P<unit>天|日|周|个星期|星期)\s*(?:之|以)?内"
                          rf"|within\s+(?P<n_en>\d+|{_EN_NUMBER})\s+(?P<unit_en>days?|weeks?)")
# A date is a delivery date when a deadline word or a delivery verb follows it, or "by" comes before it.
_AFTER_DATE = re.compile(rf"\s*(?:{_BEFORE}|(?=送|到货|交货|发货))")
_BY_BEFORE = re.compile(r"(?:by|before)\s+$")
# Where to: the words after a delivery verb, up to a stop (送到三水工地 / deliver to the Sanshui site).
_PLACE = re.compile(r"(?:送到|送至|送去|运到|运至|拉到|交到|发到|deliver(?:ed)?\s+to|ship(?:ped)?\s+to)\s*"
                    r"(?P<place>[^\s,，.。;；!！?？、]{2,40})")
_NOT_PLACES = frozenset({"这里", "那里", "那边", "这边", "就行", "就好", "吧", "了"})


@dataclass(frozen=True, slots=True)
class DeliverySpan:
    value: date
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PlaceSpan:
    text: str
    start: int
    end: int


def month_end(today: date, months_ahead: int = 0) -> date:
    year, month = today.year, today.month + months_ahead
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def find_delivery_dates(text: str, today: date) -> list[DeliverySpan]:
    """Every delivery deadline in `text` (normalised), in order, none overlapping."""
    found: list[DeliverySpan] = []

    def add(value: date | None, start: int, end: int) -> None:
        if value is not None and all(end <= f.start or start >= f.end for f in found):
            found.append(DeliverySpan(value, start, end))

    for m in _MONTH_END.finditer(text):
        add(month_end(today, 1 if (m.group("next") or m.group("next_en")) else 0), m.start(), m.end())
    for m in _NEXT_WEEKDAY.finditer(text):
        day = _WEEKDAYS_ZH[m.group("d")] if m.group("d") else _WEEKDAYS_EN.index(m.group("en"))
        add(today - timedelta(days=today.weekday()) + timedelta(days=7 + day), m.start(), m.end())
    for m in _THIS_WEEKDAY.finditer(text):
        day = _WEEKDAYS_ZH[m.group("d")] if m.group("d") else _WEEKDAYS_EN.index(m.group("en"))
        value = today - timedelta(days=today.weekday()) + timedelta(days=day)
        add(value if value >= today else value + timedelta(days=7), m.start(), m.end())
    for m in _WITHIN_DAYS.finditer(text):
        number = parse_number(m.group("n") or m.group("n_en") or "")
        unit = m.group("unit") or m.group("unit_en") or ""
        if number is None or number <= 0 or number != int(number) or number > 366:
            continue
        days = int(number) * (7 if unit.startswith(("周", "星期", "个星期", "week")) else 1)
        add(today + timedelta(days=days), m.start(), m.end())
    for span in find_dates(text, today):
        after = _AFTER_DATE.match(text, span.end)
        if after is not None:
            add(span.value, span.start, after.end())
        elif _BY_BEFORE.search(text[: span.start]):
            add(span.value, span.start, span.end)
    return sorted(found, key=lambda f: f.start)


def find_delivery_place(text: str, taken: list[bool] | None = None) -> PlaceSpan | None:
    """The place named after a delivery verb, when those words are not already read as something else (a known
    location, a date)."""
    for m in _PLACE.finditer(text):
        start, end = m.start("place"), m.end("place")
        place = m.group("place")
        if place in _NOT_PLACES or (taken is not None and any(taken[start:end])):
            continue
        return PlaceSpan(place, start, end)
    return None
