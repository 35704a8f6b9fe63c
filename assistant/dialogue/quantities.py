"""How quantities are said back to people: in the unit they think in, with the base unit when it helps."""

from __future__ import annotations

from decimal import Decimal

from assistant.world.schema import Item, World

_UNIT_WORDS = {"pcs": ("件", "pcs"), "g": ("克", "g"), "jin": ("斤", "jin"), "cake": ("饼", "cakes"),
               "kg": ("公斤", "kg"), "liang": ("两", "liang"), "box": ("箱", "boxes")}


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def format_qty(world: World, item: Item, qty_base: Decimal, lang: str) -> str:
    """5件 / 1000克(2斤) / 714克(2饼): weight items also in their price unit, which is how a shop counts."""
    zh_base, en_base = _UNIT_WORDS.get(item.unit, (item.unit, item.unit))
    base = f"{_plain(qty_base)}{zh_base}" if lang != "en" else f"{_plain(qty_base)} {en_base}"
    if item.price_per and item.price_per != item.unit:
        factor = world.unit(item.price_per).factor
        if factor:
            in_price_unit = (qty_base / factor).quantize(Decimal("0.01")).normalize()
            zh_u, en_u = _UNIT_WORDS.get(item.price_per, (item.price_per, item.price_per))
            extra = f"{_plain(in_price_unit)}{zh_u}" if lang != "en" else f"{_plain(in_price_unit)} {en_u}"
            return f"{extra}({base})"
    return base


def item_name(item: Item, lang: str) -> str:
    return item.name_en if lang == "en" else item.name


def price_text(world: World, item: Item, lang: str) -> str:
    if item.price is None or not item.price_per:
        return "-"
    zh_u, en_u = _UNIT_WORDS.get(item.price_per, (item.price_per, item.price_per))
    return f"{item.price:.2f}元/{zh_u}" if lang != "en" else f"¥{item.price:.2f}/{en_u.rstrip('s')}"


def location_name(world: World, code: str | None, lang: str = "zh") -> str:
    """A location as people say it (`Location.display_name`), or the code when the world does not know it."""
    if not code:
        return ""
    try:
        location = world.location(code)[1]
    except KeyError:
        return code
    return location.display_name(lang)
