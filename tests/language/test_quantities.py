from decimal import Decimal

import pytest

from assistant.language.quantities import Amount, UnitMismatch, default_unit, parse_amount, to_base
from assistant.world.schema import World


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("5件", "5", "件"), ("五件", "5", "件"), ("两箱", "2", "箱"), ("2斤", "2", "斤"), ("半斤", "0.5", "斤"),
        ("8两", "8", "两"), ("二两", "2", "两"), ("两斤", "2", "斤"), ("两", "2", None),
        ("1.5kg", "1.5", "kg"), ("1.5公斤", "1.5", "公斤"), ("二十个", "20", "个"), ("2饼", "2", "饼"),
        ("five", "5", None), ("two boxes", "2", "boxes"), ("Two Boxes of", "2", "boxes"), ("3 kilos", "3", "kilos"),
        ("一台", "1", "台"), ("５件", "5", "件"), ("5 件", "5", "件"), ("2,000件", "2000", "件"),
        ("一斤半", "1.5", "斤"), ("两个半", "2.5", "个"), ("one and a half kilos", "1.5", "kilos"),
        ("3千件", "3000", "件"), ("10", "10", None), ("a box", "1", "box"),
    ],
)
def test_parse_amount(text: str, number: str, unit: str | None) -> None:
    assert parse_amount(text) == Amount(Decimal(number), unit)


@pytest.mark.parametrize("text", ["", "件", "曲轴", "x件", "5件曲轴到总装线", "five crankshafts to line A"])
def test_not_an_amount(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("item", "text", "qty", "base", "zh", "en"),
    [
        ("BT-M8", "两箱", "200", "pcs", "2箱（200件）", "2 boxes (200 pcs)"),  # box_size 100
        ("PS-2001", "two boxes", "40", "pcs", "2箱（40件）", "2 boxes (40 pcs)"),  # box_size 20
        ("BT-M8", "1 carton", "100", "pcs", "1箱（100件）", "1 box (100 pcs)"),
        ("CS-1001", "5件", "5", "pcs", "5件", "5 pcs"),
        ("CS-1001", "五个", "5", "pcs", "5件", "5 pcs"),
        ("CS-1001", "five", "5", "pcs", "5件", "5 pcs"),  # no unit: base unit for counted parts
        ("TEA-TGY", "2斤", "1000", "g", "2斤（1000克）", "2 jin (1000 g)"),
        ("TEA-TGY", "半斤", "250", "g", "0.5斤（250克）", "0.5 jin (250 g)"),
        ("TEA-TGY", "8两", "400", "g", "8两（400克）", "8 liang (400 g)"),
        ("TEA-TGY", "二两", "100", "g", "2两（100克）", "2 liang (100 g)"),
        ("TEA-PE", "2饼", "714", "g", "2饼（714克）", "2 cakes (714 g)"),
        ("TEA-TGY", "1.5kg", "1500", "g", "1.5公斤（1500克）", "1.5 kg (1500 g)"),
        ("TEA-TGY", "3 kilos", "3000", "g", "3公斤（3000克）", "3 kg (3000 g)"),
        ("TEA-TGY", "200克", "200", "g", "200克", "200 g"),
        ("TEA-TGY", "2", "1000", "g", "2斤（1000克）", "2 jin (1000 g)"),  # no unit: the price unit (斤)
        ("TEA-PE", "2", "714", "g", "2饼（714克）", "2 cakes (714 g)"),  # 普洱 is priced per cake
        ("TEA-LJ", "一斤半", "750", "g", "1.5斤（750克）", "1.5 jin (750 g)"),
    ],
)
def test_to_base(world: World, item: str, text: str, qty: str, base: str, zh: str, en: str) -> None:
    amount = parse_amount(text)
    assert amount is not None
    result = to_base(world, world.item(item), amount)
    assert (result.qty_base, result.unit_code, result.display_zh, result.display_en) == (Decimal(qty), base, zh, en)


@pytest.mark.parametrize(
    ("item", "text"),
    [
        ("CS-1001", "两箱"),  # 曲轴 has no box size
        ("CS-1001", "2斤"),  # a weight for a counted part
        ("TEA-TGY", "5件"),  # a count for tea
        ("TEA-TGY", "两箱"),
        ("CS-1001", "一台"),  # unknown unit word
        ("CS-1001", "3 bananas"),
    ],
)
def test_unit_mismatch(world: World, item: str, text: str) -> None:
    amount = parse_amount(text)
    assert amount is not None
    with pytest.raises(UnitMismatch) as err:
        to_base(world, world.item(item), amount)
    assert err.value.item == item
    assert err.value.unit_word == amount.unit_word


def test_default_unit(world: World) -> None:
    assert default_unit(world, world.item("CS-1001")).code == "pcs"
    assert default_unit(world, world.item("TEA-TGY")).code == "jin"
    assert default_unit(world, world.item("TEA-PE")).code == "cake"
