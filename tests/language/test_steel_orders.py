"""Steel orders read from their words: tonnes, the size that picks a rebar, the delivery deadline and place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assistant.language.delivery import find_delivery_dates, month_end
from assistant.language.extract import extract_mentions
from assistant.language.numbers import normalise
from assistant.language.reading import MessageReader
from assistant.language.resolve import Ambiguous, Match, Resolver
from assistant.language.specs import answered_spec
from assistant.language.vocabulary import Vocabulary
from assistant.world.master_data import MasterData
from assistant.world.schema import World

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(("said", "deadline"), [
    ("月底前送到", date(2026, 11, 30)),
    ("这个月底之前", date(2026, 11, 30)),
    ("下个月底前", date(2026, 12, 31)),
    ("下周三送到", date(2026, 11, 25)),
    ("下星期一前", date(2026, 11, 23)),
    ("周五前送", date(2026, 11, 20)),
    ("周一前送", date(2026, 11, 23)),  # this week's Monday has passed: next Monday
    ("3天内送到", date(2026, 11, 21)),
    ("三天之内", date(2026, 11, 21)),
    ("一周内到货", date(2026, 11, 25)),
    ("12月15日前送到", date(2026, 12, 15)),
    ("明天送过来", date(2026, 11, 19)),
    ("by the end of the month", date(2026, 11, 30)),
    ("by next wednesday", date(2026, 11, 25)),
    ("within 3 days", date(2026, 11, 21)),
    ("by december 15", date(2026, 12, 15)),
])
def test_delivery_deadlines(said: str, deadline: date) -> None:
    [found] = find_delivery_dates(normalise(said), TODAY)
    assert found.value == deadline


def test_month_end_wraps_the_year() -> None:
    assert month_end(date(2026, 12, 5)) == date(2026, 12, 31)
    assert month_end(date(2026, 12, 5), 1) == date(2027, 1, 31)
    assert month_end(date(2028, 2, 3)) == date(2028, 2, 29)


def test_a_plain_date_is_not_a_deadline() -> None:
    assert find_delivery_dates(normalise("12月15日张三买了2斤铁观音"), TODAY) == []


def test_the_issue_order_reads_tonnes_and_asks_the_size(vocabulary: Vocabulary, resolver: Resolver) -> None:
    m = extract_mentions("要20吨螺纹钢HRB400，月底前送到", vocabulary, resolver, "FS", TODAY)
    assert m.item is not None and isinstance(m.item.resolution, Ambiguous)  # no size said: asked, never defaulted
    assert m.amount is not None and (m.amount.amount.number, m.amount.amount.unit_word) == (Decimal(20), "吨")
    assert m.delivery is not None and m.delivery.value == date(2026, 11, 30) and m.delivery.text == "月底前"
    assert m.date is None and m.place is None


@pytest.mark.parametrize("said", [
    "宏达建工要20吨螺纹钢HRB400 Φ16，月底前送到",
    "宏达要16的螺纹钢二十吨，月底前",
    "宏达建工要二十吨三级螺纹十六的",
    "宏达建工 螺纹钢φ16 20t",
    "Hongda needs 20 tonnes of rebar Φ16 by the end of the month",
])
def test_the_size_picks_the_rebar(said: str, vocabulary: Vocabulary, resolver: Resolver) -> None:
    m = extract_mentions(said, vocabulary, resolver, "FS", TODAY)
    assert m.item is not None and m.item.resolution == Match("RB400-16")
    assert m.amount is not None and m.amount.amount.number == Decimal(20)  # the 16 is a size, not the amount
    assert m.customer is not None and m.customer.resolution == Match("C101")


def test_place_and_entities(world: World) -> None:
    reader = MessageReader(MasterData(world), today=lambda: TODAY)
    reading = reader.read("顺安路桥要热卷12吨，下周三前送到三水工地", site="FS", intent="create_sales_order")
    entities = {e["entity"]: e["value"] for e in reading.entities()}
    assert entities == {"customer": "C102", "item": "HRC-Q235", "amount": "12吨", "delivery_date": "2026-11-25",
                        "delivery_place": "三水工地"}


def test_a_transfer_keeps_its_destination(vocabulary: Vocabulary, resolver: Resolver) -> None:
    m = extract_mentions("调5吨高线到钢材仓", vocabulary, resolver, "FS", TODAY)
    assert m.destination is not None and m.destination.resolution == Match("FS-WH")
    assert m.place is None and m.delivery is None


@pytest.mark.parametrize(("answer", "size"), [("16", 16), ("十六", 16), ("Φ20", 20), ("要12的", 12), ("16的吧", 16),
                                              ("张三", None), ("20吨", None)])
def test_a_size_as_the_answer(answer: str, size: int | None) -> None:
    assert answered_spec(answer) == (None if size is None else Decimal(size))
