import datetime as dt
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

import pytest

from assistant.language.extract import Mentions, NameMention, extract_mentions
from assistant.language.quantities import Amount
from assistant.language.resolve import Ambiguous, InOtherSite, Match, NotFound, Resolution, Resolver
from assistant.language.vocabulary import Vocabulary

TODAY = date(2026, 5, 10)


@dataclass(frozen=True)
class Expect:
    item: str | None = None  # span text
    item_is: Resolution | None = None
    amount: str | None = None  # span text
    number: str | None = None
    unit: str | None = None
    destination: str | None = None
    destination_is: Resolution | None = None
    source: str | None = None
    source_is: Resolution | None = None
    customer: str | None = None
    customer_is: Resolution | None = None
    date: dt.date | None = None
    date_text: str | None = None


CASES: list[tuple[str, str, Expect]] = [
    ("调拨5件曲轴到总装线B区", "DG", Expect(
        "曲轴", Match("CS-1001"), "5件", "5", "件", "总装线B区", Match("LINE-B"))),
    ("调拨五件曲轴到总装二线", "DG", Expect(  # the 二 of 总装二线 is not an amount
        "曲轴", Match("CS-1001"), "五件", "5", "件", "总装二线", Match("LINE-B"))),
    ("把十个活塞送到总装一线", "DG", Expect(
        "活塞", Match("PS-2001"), "十个", "10", "个", "总装一线", Match("LINE-A"))),
    ("调拨两箱螺栓到质检区", "DG", Expect(
        "螺栓", Match("BT-M8"), "两箱", "2", "箱", "质检区", Match("QC"))),
    ("把二十个火花塞调到总装一线", "DG", Expect(
        "火花塞", Match("SP-4001"), "二十个", "20", "个", "总装一线", Match("LINE-A"))),
    ("从A区1号货架调10件曲轴到总装线A区", "DG", Expect(
        "曲轴", Match("CS-1001"), "10件", "10", "件", "总装线A区", Match("LINE-A"), "A区1号货架", Match("A-01"))),
    ("把A01的曲轴调10件到总装线A", "DG", Expect(  # unmarked location before a marked destination: source
        "曲轴", Match("CS-1001"), "10件", "10", "件", "总装线A", Match("LINE-A"), "A01", Match("A-01"))),
    ("调100个轴承6204到2号月台", "DG", Expect(  # 6204 belongs to the item, 2 to the dock
        "轴承6204", Match("BR-6204"), "100个", "100", "个", "2号月台", Match("DOCK-2"))),
    ("调拨５件曲轴到总装线Ｂ区", "DG", Expect(  # full-width; spans are in the original text
        "曲轴", Match("CS-1001"), "５件", "5", "件", "总装线Ｂ区", Match("LINE-B"))),
    ("调5件曲轴到总装线", "DG", Expect(
        "曲轴", Match("CS-1001"), "5件", "5", "件", "总装线", Ambiguous(("LINE-A", "LINE-B")))),
    ("调5件曲轴到后仓", "DG", Expect(
        "曲轴", Match("CS-1001"), "5件", "5", "件", "后仓", InOtherSite("BACK", "FZ"))),
    ("调5件飞机到总装线B", "DG", Expect(  # unknown item: the words after the amount
        "飞机", NotFound("飞机", ()), "5件", "5", "件", "总装线B", Match("LINE-B"))),
    ("张三买两斤铁观音", "FZ", Expect(
        "铁观音", Match("TEA-TGY"), "两斤", "2", "斤", customer="张三", customer_is=Match("C001"))),
    ("给李四开一单龙井三斤", "FZ", Expect(  # 一单 is not an amount of tea
        "龙井", Match("TEA-LJ"), "三斤", "3", "斤", customer="李四", customer_is=Match("C002"))),
    ("张三,2025年1月20日,购铁观音2斤", "FZ", Expect(
        "铁观音", Match("TEA-TGY"), "2斤", "2", "斤", customer="张三", customer_is=Match("C001"),
        date=date(2025, 1, 20), date_text="2025年1月20日")),
    ("李四,26.4.6,铁观音 8两", "FZ", Expect(  # the digits of the date are not a quantity
        "铁观音", Match("TEA-TGY"), "8两", "8", "两", customer="李四", customer_is=Match("C002"),
        date=date(2026, 4, 6), date_text="26.4.6")),
    ("陈老板 2025年4月1日\n普洱茶 2饼", "FZ", Expect(
        "普洱茶", Match("TEA-PE"), "2饼", "2", "饼", customer="陈老板", customer_is=Match("C007"),
        date=date(2025, 4, 1), date_text="2025年4月1日")),
    ("张三 2026-03-09 白茶 半斤", "FZ", Expect(
        "白茶", Match("TEA-BC"), "半斤", "0.5", "斤", customer="张三", customer_is=Match("C001"),
        date=date(2026, 3, 9), date_text="2026-03-09")),
    ("王五 昨天 一斤半龙井", "FZ", Expect(
        "龙井", Match("TEA-LJ"), "一斤半", "1.5", "斤", customer="王五", customer_is=Match("C003"),
        date=date(2026, 5, 9), date_text="昨天")),
    ("给王五两饼普洱", "FZ", Expect(  # the 五 of 王五 is a name, 两 before a unit is 2
        "普洱", Match("TEA-PE"), "两饼", "2", "饼", customer="王五", customer_is=Match("C003"))),
    ("调两件曲轴到总装线A", "DG", Expect(
        "曲轴", Match("CS-1001"), "两件", "2", "件", "总装线A", Match("LINE-A"))),
    ("move a crankshaft to line A", "DG", Expect(
        "crankshaft", Match("CS-1001"), "a", "1", None, "line A", Match("LINE-A"))),
    ("把二两铁观音", "FZ", Expect("铁观音", Match("TEA-TGY"), "二两", "2", "两")),
    ("铁观音2", "FZ", Expect("铁观音", Match("TEA-TGY"), "2", "2", None)),  # bare number after the item
    ("transfer five crankshafts to assembly line B", "DG", Expect(
        "crankshafts", Match("CS-1001"), "five", "5", None, "assembly line B", Match("LINE-B"))),
    ("move two boxes of bolts to the QC area", "DG", Expect(
        "bolts", Match("BT-M8"), "two boxes", "2", "boxes", "QC area", Match("QC"))),
    ("move 3 connecting rods from B02 to dock two", "DG", Expect(
        "connecting rods", Match("CR-2002"), "3", "3", None, "dock two", Match("DOCK-2"), "B02", Match("B-02"))),
    ("派一台小车到二号月台", "DG", Expect(destination="二号月台", destination_is=Match("DOCK-2"))),
    ("查询铁观音库存", "FZ", Expect("铁观音", Match("TEA-TGY"))),
    ("连杆还有多少", "DG", Expect("连杆", Match("CR-2002"))),
    ("零件还有多少", "DG", Expect()),  # 零件 is "parts", not zero pieces
    ("你好", "DG", Expect()),
]


class _Spanned(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def _span(text: str, mention: _Spanned | None) -> str | None:
    """The mention's text, checking that its offsets point at it in the original message."""
    if mention is None:
        return None
    assert text[mention.start : mention.end] == mention.text
    return mention.text


def _resolution(mention: NameMention | None) -> Resolution | None:
    return None if mention is None else mention.resolution


@pytest.mark.parametrize(("text", "site", "expected"), CASES, ids=[c[0] for c in CASES])
def test_extract(vocabulary: Vocabulary, resolver: Resolver, text: str, site: str, expected: Expect) -> None:
    m: Mentions = extract_mentions(text, vocabulary, resolver, site, TODAY)
    assert (_span(text, m.item), _resolution(m.item)) == (expected.item, expected.item_is)
    assert _span(text, m.amount) == expected.amount
    if expected.number is not None:
        assert m.amount is not None
        assert m.amount.amount == Amount(Decimal(expected.number), expected.unit)
    assert (_span(text, m.destination), _resolution(m.destination)) == (expected.destination, expected.destination_is)
    assert (_span(text, m.source), _resolution(m.source)) == (expected.source, expected.source_is)
    assert (_span(text, m.customer), _resolution(m.customer)) == (expected.customer, expected.customer_is)
    assert (_span(text, m.date), None if m.date is None else m.date.value) == (expected.date_text, expected.date)


def test_all_locations_in_order(vocabulary: Vocabulary, resolver: Resolver) -> None:
    m = extract_mentions("从A区1号货架调10件曲轴到总装线A区", vocabulary, resolver, "DG", TODAY)
    assert [loc.text for loc in m.locations] == ["A区1号货架", "总装线A区"]
    assert [(loc.start, loc.end) for loc in m.locations] == [(1, 7), (14, 19)]


def test_spoken_transcript_spacing(vocabulary: Vocabulary, resolver: Resolver) -> None:
    m = extract_mentions("调拨 五 件 曲轴 到 总装 二线", vocabulary, resolver, "DG", TODAY)
    assert m.item is not None and m.item.resolution == Match("CS-1001")
    assert m.amount is not None and m.amount.amount == Amount(Decimal(5), "件")
    assert m.destination is not None and m.destination.text == "总装 二线"
    assert m.destination.resolution == Match("LINE-B")


def test_the_model_s_spans_only_fill_kinds_the_vocabulary_found_none_of(vocabulary: Vocabulary,
                                                                         resolver: Resolver) -> None:
    from assistant.language.extract import Tagged

    # A misheard 查询 tagged as an item beside a known item: the known one is the item.
    m = extract_mentions("茶饭铁观音库存", vocabulary, resolver, "FZ", TODAY, (Tagged("item", 0, 2),))
    assert m.item is not None and m.item.resolution == Match("TEA-TGY")
    # An unknown item only the model tagged: reported as unknown, never dropped.
    m = extract_mentions("查一下飞机还有多少", vocabulary, resolver, "DG", TODAY, (Tagged("item", 3, 5),))
    assert m.item is not None and m.item.text == "飞机" and isinstance(m.item.resolution, NotFound)
    # A place nobody knows: the destination, said back as unknown ("没有找到库位“火星”").
    m = extract_mentions("调5件曲轴到火星", vocabulary, resolver, "DG", TODAY, (Tagged("location", 6, 8),))
    assert m.destination is not None and m.destination.text == "火星" and isinstance(m.destination.resolution,
                                                                                     NotFound)
