"""Properties of the parsers, checked by Hypothesis on inputs nobody picked: every number spelt in Chinese
numerals, Arabic digits or with a unit comes back as itself; every valid date written the ways order slips write it
comes back as itself, and impossible ones as nothing; GS1 element strings come back field by field; transcript
correction leaves a sentence made only of the site's own words alone. No input makes a parser raise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.language.dates import parse_date
from assistant.language.numbers import parse_number
from assistant.language.quantities import Amount, parse_amount, to_base
from assistant.language.vocabulary import Vocabulary
from assistant.world.schema import World
from speech.correct import Corrector
from speech.lexicon import build_lexicon
from vision.barcodes import Decoded
from vision.gs1 import gs1_fields

DIGITS = "零一二三四五六七八九"
FINANCIAL = "零壹贰叁肆伍陆柒捌玖"
TODAY = dt.date(2026, 11, 30)
QUICK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _below_10000(n: int, digits: str, small: str, first: bool) -> str:
    """1..9999 in Chinese numerals; `first`: at the head of the number, where 10-19 read 十…, not 一十…."""
    out, pending_zero, started = [], False, False
    for value, unit in ((1000, small[2]), (100, small[1]), (10, small[0]), (1, "")):
        digit = n // value % 10
        if digit == 0:
            pending_zero = pending_zero or started
            continue
        if pending_zero:
            out.append(digits[0])
            pending_zero = False
        out.append(unit if value == 10 and digit == 1 and first and not started else digits[digit] + unit)
        started = True
    return "".join(out)


def spell_zh(n: int, financial: bool = False) -> str:
    """0..99 999 999 as written in Chinese: 一万零五十, 两千 aside (两 is tested by the examples)."""
    digits, small = (FINANCIAL, "拾佰仟") if financial else (DIGITS, "十百千")
    if n == 0:
        return digits[0]
    high, low = divmod(n, 10_000)
    text = _below_10000(high, digits, small, True) + "万" if high else ""
    if low:
        if high and low < 1000:
            text += digits[0]
        text += _below_10000(low, digits, small, not high)
    return text


@QUICK
@given(st.integers(min_value=0, max_value=99_999_999), st.booleans())
@example(10, False).via("十, not 一十")
@example(100_010, False).via("十万零一十")
def test_chinese_numerals(n: int, financial: bool) -> None:
    assert parse_number(spell_zh(n, financial)) == n


@QUICK
@given(st.integers(min_value=0, max_value=10**9), st.booleans())
def test_arabic_numbers_with_and_without_thousands_separators(n: int, grouped: bool) -> None:
    assert parse_number(f"{n:,}" if grouped else str(n)) == n


@QUICK
@given(st.text(max_size=30))
def test_no_text_makes_the_number_parser_raise(text: str) -> None:
    value = parse_number(text)
    assert value is None or isinstance(value, Decimal)


@QUICK
@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["件", "箱", "斤", "个", "两", "盒"]),
       st.booleans())
def test_an_amount_is_its_number_and_unit(n: int, unit: str, in_chinese: bool) -> None:
    said = (spell_zh(n) if in_chinese else str(n)) + unit
    assert parse_amount(said) == Amount(Decimal(n), unit)


@QUICK
@given(st.integers(min_value=1, max_value=500), st.sampled_from(["PS-2001", "CR-2002", "BR-6204", "BT-M8"]))
def test_boxes_convert_to_pieces(world: World, boxes: int, code: str) -> None:
    item = world.item(code)
    assert item.box_size is not None
    converted = to_base(world, item, Amount(Decimal(boxes), "箱"))
    assert converted.qty_base == boxes * item.box_size and converted.unit_code == "pcs"


@QUICK
@given(st.text(max_size=30))
def test_no_text_makes_the_amount_parser_raise(text: str) -> None:
    amount = parse_amount(text)
    assert amount is None or amount.number >= 0


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@QUICK
@given(dates, st.sampled_from(["{y}年{m}月{d}日", "{y}年{m}月{d}号", "{y}/{m}/{d}", "{y}-{m:02d}-{d:02d}",
                               "{y}.{m}.{d}", "{yy:02d}.{m}.{d}"]))
def test_written_dates(day: dt.date, form: str) -> None:
    text = form.format(y=day.year, yy=day.year % 100, m=day.month, d=day.day)
    assert parse_date(text, TODAY) == day


@QUICK
@given(dates)
def test_dates_in_chinese_numerals(day: dt.date) -> None:
    year = "".join(DIGITS[int(c)] if c != "0" else "〇" for c in str(day.year))
    text = f"{year}年{spell_zh(day.month)}月{spell_zh(day.day)}日"
    assert parse_date(text, TODAY) == day


@QUICK
@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=12),
       st.integers(min_value=29, max_value=31))
def test_impossible_dates_are_nothing(year: int, month: int, day: int) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        assert parse_date(f"{year}年{month}月{day}日", TODAY) is None
        assert parse_date(f"{year}/{month}/{day}", TODAY) is None


@QUICK
@given(st.text(max_size=40))
def test_no_text_makes_the_date_parser_raise(text: str) -> None:
    assert parse_date(text, TODAY) is None or isinstance(parse_date(text, TODAY), dt.date)


def _check_digit(digits: str) -> str:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


@QUICK
@given(st.text("0123456789", min_size=13, max_size=13),
       st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=20),
       st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2049, 12, 31)),
       st.integers(min_value=1, max_value=99_999_999))
def test_gs1_element_strings(body: str, lot: str, expiry: dt.date, count: int) -> None:
    gtin = body + _check_digit(body)
    payload = f"01{gtin}17{expiry:%y%m%d}10{lot}\x1d37{count}"
    code = Decoded(format="Code128", text=payload, symbology="]C1", payload=payload, gs1=True, decoder="zxing",
                   box=None)
    fields = gs1_fields(code)
    assert fields is not None
    assert (fields.gtin, fields.lot, fields.expiry, fields.count) == (gtin, lot, expiry, count)


@pytest.fixture(scope="module")
def corrector(vocabulary: Vocabulary) -> Corrector:
    return Corrector(build_lexicon(vocabulary, "zh", "DG"))


@QUICK
@given(st.data())
def test_a_transcript_of_the_sites_own_words_is_left_alone(corrector: Corrector, world: World,
                                                            data: st.DataObject) -> None:
    items = [i.name for i in world.items if i.code[:3] != "TEA"]
    places = [loc.name for site in world.sites if site.code == "DG" for loc in site.locations]
    item, place = data.draw(st.sampled_from(items)), data.draw(st.sampled_from(places))
    amount = data.draw(st.integers(min_value=1, max_value=99).map(spell_zh))
    unit = data.draw(st.sampled_from(["件", "个", "箱"]))
    text = data.draw(st.sampled_from(["调拨{a}{u}{i}到{p}", "把{a}{u}{i}调到{p}", "{i}还有多少", "送{a}{u}{i}去{p}"]))
    sentence = text.format(a=amount, u=unit, i=item, p=place)
    assert corrector.correct(sentence).text == sentence


@QUICK
@given(st.text(max_size=40))
def test_no_transcript_makes_the_corrector_raise(corrector: Corrector, text: str) -> None:
    assert isinstance(corrector.correct(text).text, str)
