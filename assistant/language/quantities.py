"""Amounts ("5件", "两箱", "半斤", "8两", "two boxes") and their conversion to an item's base unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.language.numbers import ZH_NUMERAL_CHARS, normalise, parse_number
from assistant.world.schema import Item, Unit, World

_ARABIC_PREFIX = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[十百千万]?")
_ZH_UNIT_WORD = re.compile(r"[\u3400-\u9fff]{1,3}")
_EN_UNIT_WORD = re.compile(r"[a-z]+(?: [a-z]+)?")
_HALF = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class Amount:
    """A number and the unit word said with it, as said (not yet tied to an item)."""

    number: Decimal
    unit_word: str | None


@dataclass(frozen=True, slots=True)
class BaseQuantity:
    """An amount converted for one item: `qty_base` is in `unit_code`, the item's base unit."""

    qty_base: Decimal
    unit_code: str
    display_zh: str  # "2箱（200件）", "5件", "2斤（1000克）"
    display_en: str  # "2 boxes (200 pcs)", "5 pcs", "2 jin (1000 g)"
    unit_said: str  # code of the unit the amount was stated in ("box", "jin", or the base unit)


class UnitMismatch(ValueError):
    """The unit word is unknown, or does not measure this item (箱 for an item without a box size,
    斤 for a counted part, 件 for tea)."""

    def __init__(self, item: str, unit_word: str | None) -> None:
        super().__init__(f"unit {unit_word!r} does not fit item {item}")
        self.item = item
        self.unit_word = unit_word


def parse_amount(text: str) -> Amount | None:
    """Split an amount span into its number and unit word; None when it does not start with a number.

    The unit word is returned as written (normalised) and is not checked against any world here:
    "一台" gives Amount(1, "台"); `to_base` decides whether the unit fits an item.
    两 is the numeral 2 before a unit ("两斤", "两箱") and the unit liang after a number ("8两", "二两").
    A trailing 半 adds a half ("一斤半" = 1.5 斤).
    """
    s = re.sub(r"\s+", " ", normalise(text))
    if not s:
        return None
    split = _split_number(s)
    if split is None:
        return None
    number, rest = split
    rest = rest.strip()
    if len(rest) > 1 and rest.endswith("半") and _ZH_UNIT_WORD.fullmatch(rest[:-1]):
        number, rest = number + _HALF, rest[:-1]
    rest = re.sub(r"\s+of$", "", rest)  # "two boxes of"
    if not rest:
        return Amount(number, None)
    if rest == "半" or not (_ZH_UNIT_WORD.fullmatch(rest) or _EN_UNIT_WORD.fullmatch(rest)):
        return None
    return Amount(number, rest)


def _split_number(s: str) -> tuple[Decimal, str] | None:
    """The leading number of `s` and what follows it."""
    m = _ARABIC_PREFIX.match(s)
    if m:
        value = parse_number(m.group())
        return None if value is None else (value, s[m.end():])
    run = 0
    while run < len(s) and s[run] in ZH_NUMERAL_CHARS:
        run += 1
    if run:
        # 两 closing a longer numeral run is the unit liang: "二两", "一百两".
        if run > 1 and s[run - 1] == "两" and parse_number(s[: run - 1]) is not None:
            run -= 1
        for end in range(run, 0, -1):  # longest prefix that is a number
            value = parse_number(s[:end])
            if value is not None:
                return value, s[end:]
        return None
    words = s.split(" ")
    for end in range(len(words), 0, -1):
        value = parse_number(" ".join(words[:end]))
        if value is not None:
            return value, " ".join(words[end:])
    return None


def find_unit(world: World, unit_word: str) -> Unit | None:
    """The world unit a unit word names (case-insensitive; a plain English plural also matches)."""
    word = normalise(unit_word)
    candidates = [word, word[:-1]] if word.endswith("s") else [word]
    for candidate in candidates:
        for unit in world.units:
            if candidate in (n.lower() for n in unit.names):
                return unit
    return None


def default_unit(world: World, item: Item) -> Unit:
    """The unit of a bare number.

    Counted parts: the base unit (曲轴5 → 5 件). Goods kept in grams but priced per a larger unit
    (tea priced per 斤 or per 饼): that price unit, because nobody sells "2 grams" of tea and a
    shopkeeper writing 铁观音2 means 2 斤 (普洱茶 2 means 2 饼).
    """
    if item.price_per and item.price_per != item.unit:
        return world.unit(item.price_per)
    return world.unit(item.unit)


def to_base(world: World, item: Item, amount: Amount) -> BaseQuantity:
    """Convert `amount` to `item`'s base unit; raise UnitMismatch when the unit does not fit the item."""
    unit = default_unit(world, item) if amount.unit_word is None else find_unit(world, amount.unit_word)
    if unit is None:
        raise UnitMismatch(item.code, amount.unit_word)
    factor = _factor(item, unit)
    if factor is None:
        raise UnitMismatch(item.code, amount.unit_word)
    qty = Decimal(fmt(amount.number * factor))  # 250, not 250.0
    base = world.unit(item.unit)
    said_zh = f"{fmt(amount.number)}{zh_name(unit)}"
    said_en = f"{fmt(amount.number)} {en_name(unit, amount.number)}"
    if unit.code == base.code:
        return BaseQuantity(qty, base.code, said_zh, said_en, unit.code)
    return BaseQuantity(
        qty,
        base.code,
        f"{said_zh}（{fmt(qty)}{zh_name(base)}）",
        f"{said_en} ({fmt(qty)} {en_name(base, qty)})",
        unit.code,
    )


def _factor(item: Item, unit: Unit) -> Decimal | None:
    if unit.code == item.unit:
        return Decimal(1)
    if unit.base != item.unit:
        return None  # a weight for a counted part, a count for tea
    if unit.per_item:
        return None if item.box_size is None else Decimal(item.box_size)
    return unit.factor


def fmt(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 1000, 0.5, 1.5."""
    return format(value.normalize(), "f")


def zh_name(unit: Unit) -> str:
    return next((n for n in unit.names if not n.isascii()), unit.code)


def en_name(unit: Unit, number: Decimal) -> str:
    """The first English name; its plural ("boxes", "cakes") when the world lists one and number ≠ 1."""
    name = next((n for n in unit.names if n.isascii()), unit.code)
    if number != 1:
        plural = next((n for n in unit.names if n in (name + "s", name + "es")), None)
        if plural:
            return plural
    return name
