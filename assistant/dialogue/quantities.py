"""How quantities are said back to people: in the unit they think in, with the base unit when it helps."""

from __future__ import annotations

from decimal import Decimal

from assistant.catalogue import has, say
from assistant.world.schema import Item, World


def _amount(value: Decimal, unit: str, lang: str) -> str:
    """5件 / 5 pcs: a number in a unit's word (the unit's code when the catalogue has no word for it)."""
    code = f"amount-{unit}"
    return say(code, lang, n=_plain(value)) if has(code) else f"{_plain(value)} {unit}"


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def format_qty(world: World, item: Item, qty_base: Decimal, lang: str) -> str:
    """5件 / 1000克(2斤) / 714克(2饼): weight items also in their price unit, which is how a shop counts."""
    base = _amount(qty_base, item.unit, lang)
    if item.price_per and item.price_per != item.unit:
        factor = world.unit(item.price_per).factor
        if factor:
            in_price_unit = (qty_base / factor).quantize(Decimal("0.01")).normalize()
            return f"{_amount(in_price_unit, item.price_per, lang)}({base})"
    return base


def item_name(item: Item, lang: str) -> str:
    return item.name_en if lang == "en" else item.name


def price_text(world: World, item: Item, lang: str) -> str:
    if item.price is None or not item.price_per:
        return "-"
    code = f"price-per-{item.price_per}"
    per = say(code, lang) if has(code) else item.price_per
    return say("price", lang, price=f"{item.price:.2f}", per=per)


def location_name(world: World, code: str | None, lang: str = "zh") -> str:
    """A location as people say it (`Location.display_name`), or the code when the world does not know it."""
    if not code:
        return ""
    try:
        location = world.location(code)[1]
    except KeyError:
        return code
    return location.display_name(lang)
