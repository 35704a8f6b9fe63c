"""The steel trader's orders as a dialogue dev slice: customers of site FS ordering rebar (with its size), coil and
wire rod in tonnes, with a delivery deadline and sometimes a place, in Mandarin and English. Generated from the world
with a fixed seed; never a shared fixture's sentence.

    cases = generate(load_world())   # VoiceCase(id="steel-zh0000", lang="zh", site="FS", text=..., expect=...)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from assistant.world.schema import Customer, Item, World
from bench.devsets.numerals import en_number, zh_number
from bench.devsets.voice import Expect, VoiceCase, fixture_texts, normal

SEED = 20261201
PER_LANGUAGE = 40
SITE = "FS"
T = TypeVar("T")

_ZH = ("{customer}要{amount}{item}，{when}", "{customer}订{item}{amount}，{when}送到{place}",
       "给{customer}开一单{item}{amount}", "{customer}下单{amount}{item}，{when}",
       "帮{customer}订{amount}{item}，送到{place}")
_EN = ("{customer} needs {amount} of {item} {when}", "order {amount} of {item} for {customer}, deliver {when}",
       "{customer} wants {amount} of {item}", "sell {amount} of {item} to {customer} {when}")
_WHEN_ZH = ("月底前", "下周三前", "3天内", "五天之内", "12月20日前", "本月底之前", "下星期五前", "一周内")
_WHEN_EN = ("by the end of the month", "by next Wednesday", "within 3 days", "within five days", "by next Friday")
_PLACES_ZH = ("三水工地", "南海桂城项目部", "顺德搅拌站", "大沥仓库")
_TONNES = (3, 5, 8, 10, 12, 15, 18, 20, 25, 30)


def generate(world: World, seed: int = SEED, per_language: int = PER_LANGUAGE) -> tuple[VoiceCase, ...]:
    forbidden = fixture_texts()
    customers = [c for c in world.customers if c.site == SITE]
    items = [i for i in world.items if i.unit == "kg" and i.price_per == "t"]
    cases: list[VoiceCase] = []
    for lang in ("zh", "en"):
        rng = random.Random(f"{seed}:{lang}")
        seen: set[str] = set()
        while len(seen) < per_language:
            text, expect = _sentence(lang, rng, customers, items)
            key = normal(text)
            if key in seen or key in forbidden:
                continue
            seen.add(key)
            cases.append(VoiceCase(f"steel-{lang}{len(seen) - 1:04d}", lang, SITE, text, expect))
    return tuple(cases)


def _sentence(lang: str, rng: random.Random, customers: list[Customer], items: list[Item]) -> tuple[str, Expect]:
    customer, item, tonnes = _pick(rng, customers), _pick(rng, items), _pick(rng, _TONNES)
    if lang == "zh":
        template = _pick(rng, _ZH)
        amount = f"{tonnes if rng.random() < 0.5 else zh_number(tonnes, before_unit=True)}吨"
        said = _item_zh(rng, item)
        text = template.format(customer=_pick(rng, [n for n in customer.names if not n.isascii()]), amount=amount,
                               item=said, when=_pick(rng, _WHEN_ZH), place=_pick(rng, _PLACES_ZH))
        if said[-1].isdigit() and amount[0].isdigit():  # a size and an amount in digits are written apart
            text = text.replace(said + amount, f"{said} {amount}")
    else:
        template = _pick(rng, _EN)
        unit = _pick(rng, ("tonnes", "tons", "t"))
        number = en_number(tonnes) if rng.random() < 0.5 else str(tonnes)
        english = [n for n in customer.names if n.isascii()] or [customer.name]
        text = template.format(customer=_pick(rng, english), amount=f"{number} {unit}", item=_item_en(rng, item),
                               when=_pick(rng, _WHEN_EN))
    return text, Expect("create_sales_order", item=item.code, customer=customer.code, qty_base=tonnes * 1000)


def _item_zh(rng: random.Random, item: Item) -> str:
    """A rebar is said by its common name and its size (螺纹钢Φ16, 16的螺纹钢); other steel by any Chinese name."""
    if item.spec:
        size = item.spec.lstrip("Φ")
        return _pick(rng, (f"螺纹钢{item.spec}", f"{size}的螺纹钢", f"三级螺纹{item.spec}", item.name))
    return _pick(rng, [n for n in item.names if not n.isascii()])


def _item_en(rng: random.Random, item: Item) -> str:
    if item.spec:
        return _pick(rng, (f"rebar {item.spec}", item.name_en))
    return _pick(rng, [n for n in item.names if n.isascii()])


def _pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]
