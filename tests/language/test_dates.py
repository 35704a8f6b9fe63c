from datetime import date

import pytest

from assistant.language.dates import MAX_READINGS, date_readings, find_dates, find_unclear_dates, parse_date

TODAY = date(2026, 5, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年1月20日", date(2025, 1, 20)), ("2025年1月20号", date(2025, 1, 20)),
        ("2025/1/22", date(2025, 1, 22)), ("2025-02-03", date(2025, 2, 3)), ("2025.3.8", date(2025, 3, 8)),
        ("25.6.18", date(2025, 6, 18)), ("26.4.6", date(2026, 4, 6)), ("２０２５／１／２２", date(2025, 1, 22)),
        ("1月20日", date(2026, 1, 20)), ("1月20号", date(2026, 1, 20)), ("1/20", date(2026, 1, 20)),
        ("今天", TODAY), ("昨天", date(2026, 5, 9)), ("前天", date(2026, 5, 8)), ("明天", date(2026, 5, 11)),
        ("大前天", date(2026, 5, 7)), ("today", TODAY), ("Yesterday", date(2026, 5, 9)),
        ("tomorrow", date(2026, 5, 11)), ("the day before yesterday", date(2026, 5, 8)),
        ("二〇二五年一月二十日", date(2025, 1, 20)), ("二〇二五年十二月三十一日", date(2025, 12, 31)),
        ("一月二十日", date(2026, 1, 20)), ("January 20, 2025", date(2025, 1, 20)),
        ("20 Jan 2025", date(2025, 1, 20)), ("2025-1-20,", date(2025, 1, 20)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["2025/2/30", "2025年13月1日", "2025-02-29", "1.5", "5件", "", "张三", "2025年1月20日买了", "decide 5"]
)
def test_not_a_date(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_find_dates_in_a_line() -> None:
    spans = find_dates("李四,26.4.6,铁观音 8两", TODAY)
    assert [(s.value, s.start, s.end) for s in spans] == [(date(2026, 4, 6), 3, 9)]
    assert find_dates("1.5kg 2,000件", TODAY) == []


@pytest.mark.parametrize(("written", "likeliest"), [
    ("20251719", date(2025, 7, 9)),   # both slashes read as 1
    ("2025719", date(2025, 7, 9)),
    ("2026/218", date(2026, 2, 8)),   # the second slash read as 1
    ("20260208", date(2026, 2, 8)),   # no separators seen at all
    ("2025/79", date(2025, 7, 9)),    # one separator lost
])
def test_a_date_whose_separators_were_lost_has_readings_but_is_no_date(written: str, likeliest: date) -> None:
    assert parse_date(written, TODAY) is None
    readings = date_readings(written, TODAY)
    assert readings[0] == likeliest
    assert len(set(readings)) == len(readings) <= MAX_READINGS


def test_readings_are_never_far_ahead_and_may_be_none() -> None:
    assert date_readings("202612/5", TODAY) == (date(2026, 2, 5),)  # not 2026-12-05: months ahead
    assert all(d <= date(2026, 6, 10) for d in date_readings("20261111", TODAY))
    assert date_readings("202621/8", TODAY) == ()


def test_unclear_dates_are_found_where_a_date_goes_never_in_quantities_or_phone_numbers() -> None:
    [found] = find_unclear_dates("张三,20251719,购铁观音2斤", TODAY)
    assert (found.text, found.start, found.end) == ("20251719", 3, 11)
    assert found.readings[0] == date(2025, 7, 9)
    for text in ["20251719斤", "2025件", "13912345678", "2025年7月9日", "2025/7/9", "王五 2000克"]:
        assert find_unclear_dates(text, TODAY) == [], text
