"""The voice dev set's sentences: shop-floor commands in Mandarin and English, generated from the world.

    cases = generate(load_world())                 # fixed seed: the same sentences every time
    cases[0]  # VoiceCase(id="zh0000", lang="zh", site="DG", text="把12个活塞送到质检区", expect=Expect(...))

Each sentence carries what a right reading finds, as codes: the item, the destination, the customer, the quantity
in the item's base unit (computed here from the world's units and box sizes, not by the product's parser) and, for
answers, whether it means yes, no or cancel. Templates, names and amounts are drawn with a seeded random generator
so the set is large and varied; the shared fixtures' sentences are never produced (they stay a last check).
The audio is made by `bench.devsets.voice_clips`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pypinyin import lazy_pinyin

from assistant.world.schema import Customer, Item, Location, Site, World
from bench.devsets.numerals import en_number, zh_number

SEED = 20261130
PER_LANGUAGE = 250
LANGUAGES = ("zh", "en")
FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "voice" / "manifest.json"
Answer = Literal["yes", "no", "cancel"]
_CJK = re.compile(r"[\u3400-\u9fff]")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Expect:
    """What a right reading of the sentence finds. None: the sentence does not say it (not scored)."""

    intent: str
    item: str | None = None
    to: str | None = None
    source: str | None = None
    customer: str | None = None
    qty_base: int | None = None
    answer: Answer | None = None


@dataclass(frozen=True, slots=True)
class VoiceCase:
    id: str
    lang: str
    site: str  # the site whose names the speaker uses (the headset's or tablet's site)
    text: str  # as a transcript should read
    expect: Expect

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "expect": {k: v for k, v in asdict(self.expect).items() if v is not None}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoiceCase:
        return cls(data["id"], data["lang"], data["site"], data["text"], Expect(**data["expect"]))


# Answers to a read-back, and the words that mark each kind of answer in a transcript (the benchmark looks for
# them: a yes is heard when a yes word and no other kind's word is in the transcript).
ANSWERS: dict[str, dict[Answer, tuple[str, ...]]] = {
    "zh": {
        "yes": tuple(f"{lead}{core}" for lead in ("", "好的，", "嗯，", "对，")
                     for core in ("确认", "没问题", "可以", "就这样", "对的", "是的", "执行吧", "确认一下")),
        "no": tuple(f"{lead}{core}" for lead in ("", "不，")
                    for core in ("不对", "不是", "错了", "不是这个", "数量不对", "地方不对", "东西不对")),
        "cancel": ("取消", "算了", "不要了", "取消吧", "取消这单", "这个取消掉", "算了，不要了", "不用了，取消",
                   "算了吧", "取消这个操作", "先取消", "不做了，取消"),
    },
    "en": {
        "yes": tuple(f"{core}{tail}" for core in ("yes", "yeah", "confirm", "correct", "okay", "yes, confirm", "yep")
                     for tail in ("", " please", ", that's right", ", go ahead")),
        "no": ("no", "nope", "no, that's wrong", "no, wrong item", "no, wrong amount", "that's wrong",
               "no, not that one", "no, wrong place", "nope, that's wrong", "no no"),
        "cancel": ("cancel it", "forget it", "cancel the order", "cancel", "never mind, cancel", "cancel please",
                   "stop, cancel it", "cancel this one", "forget it, cancel", "please cancel"),
    },
}
ANSWER_WORDS: dict[str, dict[Answer, tuple[str, ...]]] = {
    "zh": {"yes": ("确认", "好的", "是的", "对的", "对", "没问题", "可以", "行"),
           "no": ("不对", "不是", "错了", "不"),
           "cancel": ("取消", "算了", "不要了", "不要", "不用了", "不做了")},
    "en": {"yes": ("yes", "yeah", "yep", "okay", "ok", "confirm", "correct"),
           "no": ("no", "nope", "wrong"),
           "cancel": ("cancel", "forget it", "never mind")},
}

# Templates. zh: {amount} and {item} apart (Mandarin puts the amount before or after the item); en: {goods} is the
# amount and the item together ("two boxes of pistons"), {items} a plural, {place} and {src} locations.
_ZH_TRANSFER = ("调拨{amount}{item}到{place}", "把{amount}{item}送到{place}", "{place}要{amount}{item}",
                "把{amount}{item}调到{place}", "{amount}{item}调到{place}", "往{place}送{amount}{item}",
                "帮我调{amount}{item}去{place}", "把{item}{amount}搬到{place}", "调{amount}{item}到{place}",
                "送{amount}{item}到{place}去", "从{src}调{amount}{item}到{place}", "把{src}的{amount}{item}移到{place}")
_ZH_TRANSFER_PART = ("把{item}调到{place}", "调拨{amount}{item}", "{item}送到{place}")
_ZH_STOCK = ("{item}还有多少", "查一下{item}的库存", "{item}库存还有多少", "{item}还剩多少", "查询一下{item}库存",
             "看看{item}有多少", "{item}现在有多少库存", "我们还有多少{item}")
_ZH_SALE = ("{customer}买{amount}{item}", "给{customer}开一单{item}{amount}", "{customer}要{amount}{item}",
            "帮{customer}下单{amount}{item}", "卖给{customer}{amount}{item}", "{customer}订了{amount}{item}",
            "给{customer}开单，{amount}{item}")
_ZH_AGV = ("派一台小车到{place}", "叫一台小车去{place}", "派小车去{place}", "来一台小车到{place}")
_EN_TRANSFER = ("move {goods} to {place}", "transfer {goods} to {place}", "send {goods} to {place}",
                "please bring {goods} to {place}", "{place} needs {goods}", "move {goods} from {src} to {place}",
                "take {goods} over to {place}", "transfer {goods} from {src} to {place}")
_EN_TRANSFER_PART = ("move the {items} to {place}", "transfer {goods}")
_EN_STOCK_COUNTED = ("how many {items} are left", "how many {items} do we have in stock", "are there any {items} left",
                     "check the stock of {items}", "what is the stock of {item}", "stock check for {items}")
_EN_STOCK_WEIGHED = ("how much {item} is left", "how much {item} do we have", "check the stock of {item}",
                     "what is the stock of {item}", "stock check for {item}")
_EN_SALE = ("{customer} buys {goods}", "sell {goods} to {customer}", "new order for {customer}, {goods}",
            "{customer} wants {goods}", "order {goods} for {customer}")
_EN_AGV = ("send an AGV to {place}", "dispatch an AGV to {place}", "I need an AGV at {place}",
           "call an AGV to {place}")
# How often each kind of sentence is drawn: commands dominate, as on the floor.
_KINDS = (("transfer", 36), ("transfer_part", 6), ("stock", 18), ("sale", 20), ("agv", 6), ("answer", 14))
_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 16, 20, 24, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200)
_EN_PLACE_THE = re.compile(r"\b(area|floor|room)$")  # "to the QC area", but "to dock two"


def generate(world: World, seed: int = SEED, per_language: int = PER_LANGUAGE) -> tuple[VoiceCase, ...]:
    """`per_language` distinct sentences per language, drawn with `seed`; never a shared fixture's sentence."""
    forbidden = fixture_texts()
    cases: list[VoiceCase] = []
    for lang in LANGUAGES:
        rng = random.Random(f"{seed}:{lang}")  # one stream per language: changing one leaves the other alone
        composer = _Composer(world, lang, rng)
        seen: set[str] = set()
        attempts = 0
        while len(seen) < per_language:
            attempts += 1
            if attempts > per_language * 50:
                raise RuntimeError(f"only {len(seen)} distinct {lang} sentences could be made")
            site, text, expect = composer.sentence()
            key = normal(text)
            if key in seen or key in forbidden:
                continue
            seen.add(key)
            cases.append(VoiceCase(f"{lang}{len(seen) - 1:04d}", lang, site, text, expect))
    return tuple(cases)


def normal(text: str) -> str:
    """Text compared for sameness: lower case, no spaces or punctuation."""
    return re.sub(r"[\W_]+", "", text.lower())


def fixture_texts() -> frozenset[str]:
    """The shared fixtures' sentences, read only so that none is generated."""
    if not FIXTURES.exists():
        return frozenset()
    return frozenset(normal(c["text"]) for c in json.loads(FIXTURES.read_text(encoding="utf-8")))


class _Composer:
    """Draws one sentence at a time for one language."""

    def __init__(self, world: World, lang: str, rng: random.Random) -> None:
        self.world, self.lang, self.rng = world, lang, rng
        self.factory = world.site("DG")
        self.shop = world.site("FZ")
        self.parts = [i for i in world.items if i.unit == "pcs"]
        self.teas = [i for i in world.items if i.unit == "g"]

    def sentence(self) -> tuple[str, str, Expect]:
        kind = self.rng.choices([k for k, _ in _KINDS], weights=[w for _, w in _KINDS])[0]
        make: dict[str, Callable[[], tuple[str, str, Expect]]] = {
            "transfer": self._transfer, "transfer_part": self._transfer_part, "stock": self._stock,
            "sale": self._sale, "agv": self._agv, "answer": self._answer,
        }
        return make[kind]()

    # -- sentence kinds -------------------------------------------------------------------------------
    def _transfer(self) -> tuple[str, str, Expect]:
        site, item = self._site_item()
        place, src = self.rng.sample(list(site.locations), 2)
        template = self._pick(_ZH_TRANSFER if self.lang == "zh" else _EN_TRANSFER)
        text, qty = self._fill(template, item, place=place, src=src)
        source = src.code if "{src}" in template else None
        return site.code, text, Expect("transfer_stock", item=item.code, to=place.code, source=source, qty_base=qty)

    def _transfer_part(self) -> tuple[str, str, Expect]:
        """A command that leaves something out (the assistant then asks for it): only what is said is expected."""
        site, item = self._site_item()
        place = self._pick(site.locations)
        template = self._pick(_ZH_TRANSFER_PART if self.lang == "zh" else _EN_TRANSFER_PART)
        text, qty = self._fill(template, item, place=place)
        to = place.code if "{place}" in template else None
        return site.code, text, Expect("transfer_stock", item=item.code, to=to, qty_base=qty)

    def _stock(self) -> tuple[str, str, Expect]:
        site, item = self._site_item()
        if self.lang == "zh":
            template = self._pick(_ZH_STOCK)
        else:
            template = self._pick(_EN_STOCK_COUNTED if item.unit == "pcs" else _EN_STOCK_WEIGHED)
        text, _ = self._fill(template, item)
        return site.code, text, Expect("check_stock", item=item.code)

    def _sale(self) -> tuple[str, str, Expect]:
        item = self._pick(self.teas)
        customer = self._pick(self._customers())
        template = self._pick(_ZH_SALE if self.lang == "zh" else _EN_SALE)
        text, qty = self._fill(template, item, customer=customer)
        return self.shop.code, text, Expect("create_sales_order", item=item.code, customer=customer.code,
                                            qty_base=qty)

    def _agv(self) -> tuple[str, str, Expect]:
        """AGVs run in the factory, to docks, lines and quality control."""
        place = self._pick([loc for loc in self.factory.locations if loc.kind in ("dock", "line", "qc")])
        template = self._pick(_ZH_AGV if self.lang == "zh" else _EN_AGV)
        return self.factory.code, template.format(place=self._place(place)), Expect("dispatch_agv", to=place.code)

    def _answer(self) -> tuple[str, str, Expect]:
        answer: Answer = self._pick(("yes", "no", "cancel"))
        intent = {"yes": "affirm", "no": "deny", "cancel": "cancel"}[answer]
        site = self._pick((self.factory, self.shop))
        return site.code, self._pick(ANSWERS[self.lang][answer]), Expect(intent, answer=answer)

    # -- parts of a sentence --------------------------------------------------------------------------
    def _site_item(self) -> tuple[Site, Item]:
        """Factory parts move in the factory, tea in the shop (the shop's own back room and shelves)."""
        if self.rng.random() < 0.7:
            return self.factory, self._pick(self.parts)
        return self.shop, self._pick(self.teas)

    def _fill(self, template: str, item: Item, place: Location | None = None, src: Location | None = None,
              customer: Customer | None = None) -> tuple[str, int | None]:
        """The template with its slots said; the quantity in base units when it names an amount."""
        number, unit, qty = self._amount(item)
        plural = self._plural(item)
        if self.lang == "zh":
            goods = amount = number + unit
        else:
            amount = f"{number} {unit}".strip()
            if not unit:  # a bare count: "five crankshafts", "12 pieces of bearing 6204"
                goods = f"{number} {plural}"
            elif unit.startswith("box") and not plural.startswith("pieces of"):
                goods = f"{amount} of {plural}"  # "two boxes of pistons"
            else:
                goods = f"{amount} of {self._item(item)}"  # "300 grams of longjing", "three pieces of crankshaft"
        slots = {"amount": amount, "goods": goods, "item": self._item(item), "items": plural,
                 "place": self._place(place) if place else "", "src": self._place(src) if src else "",
                 "customer": self._customer(customer) if customer else ""}
        said_amount = "{amount}" in template or "{goods}" in template
        return template.format(**slots), (qty if said_amount else None)

    def _amount(self, item: Item) -> tuple[str, str, int]:
        """A number and a unit that measures the item (the unit may be left out for counted parts in English),
        and the quantity in the item's base unit."""
        rng = self.rng
        if item.unit == "pcs":
            if item.box_size and rng.random() < 0.3:
                n = rng.randint(1, 6)
                return *self._count(n, "箱", "box", "boxes"), n * item.box_size
            n = self._pick(_COUNTS)
            if self.lang == "en":
                return (self._number(n), "", n) if rng.random() < 0.7 else (*self._count(n, "", "piece", "pieces"), n)
            return *self._count(n, self._pick(("件", "个", "只", "根")), "", ""), n
        choices: list[tuple[str, str, str, int, Sequence[int]]] = [  # zh unit, en singular, plural, grams, numbers
            ("斤", "jin", "jin", 500, (1, 2, 3, 4, 5, 6, 8, 10)),
            ("克", "gram", "grams", 1, (50, 100, 150, 200, 250, 300, 500)),
            ("公斤", "kilo", "kilos", 1000, (1, 2, 3, 5)),
        ]
        if self.lang == "zh":
            choices += [("两", "", "", 50, (2, 3, 4, 5, 6, 8)), ("千克", "", "", 1000, (1, 2, 3))]
        if item.price_per == "cake":  # pu-erh is sold by the cake
            choices += [("饼", "cake", "cakes", 357, (1, 2, 3, 4, 5))] * 3
        if self.lang == "zh" and rng.random() < 0.1:
            return self._pick((("半", "斤", 250), ("一", "斤半", 750), ("两", "斤半", 1250)))
        zh_unit, one, many, grams, numbers = self._pick(choices)
        n = self._pick(numbers)
        return *self._count(n, zh_unit, one, many), n * grams

    def _count(self, n: int, zh_unit: str, one: str, many: str) -> tuple[str, str]:
        """The number (digits or words, as a transcript may write either) and the unit word."""
        if self.lang == "zh":
            return (str(n) if self.rng.random() < 0.4 else zh_number(n, before_unit=zh_unit != "两")), zh_unit
        return self._number(n), (one if n == 1 else many)

    def _number(self, n: int) -> str:
        return en_number(n) if n < 1000 and self.rng.random() < 0.6 else str(n)

    def _item(self, item: Item) -> str:
        return self._pick(self._item_names(item))

    def _item_names(self, item: Item) -> list[str]:
        if self.lang == "zh":
            return [n for n in item.names if _CJK.search(n)]
        return [n for n in item.names if n.isascii()]

    def _plural(self, item: Item) -> str:
        """An English plural a person would say: a name ending in a letter takes -s ("spark plugs"); a name
        ending in a code ("bearing 6204") is counted in pieces of it. Mass nouns (tea) stay as they are."""
        if self.lang == "zh" or item.unit != "pcs":
            return self._item(item)
        words = [n for n in self._item_names(item) if n[-1].isalpha()]
        if not words:
            return f"pieces of {self._item(item)}"
        name = self._pick(words)
        if name.endswith("s"):
            return name
        return name + ("es" if name.endswith(("ch", "sh", "x")) else "s")

    def _place(self, location: Location) -> str:
        """The location in the speaker's language: Chinese names (and rack codes such as "A01") in Mandarin;
        English aliases and rack codes in English."""
        if self.lang == "zh":
            names = [n for n in location.names if _CJK.search(n) or (n.isascii() and " " not in n)]
        else:
            names = [n for n in location.names if n.isascii()]
        name = self._pick(names)
        return f"the {name}" if self.lang == "en" and _EN_PLACE_THE.search(name) else name

    def _customers(self) -> list[Customer]:
        """In English, customers with a personal name (said in pinyin) and the walk-in customer; 陈老板 is a
        title, not a name an English speaker would say."""
        shop = [c for c in self.world.customers if c.site is None]  # a trader's customers buy at their site only
        if self.lang == "zh":
            return shop
        return [c for c in shop if not c.name.endswith("老板")]

    def _customer(self, customer: Customer) -> str:
        if self.lang == "zh":
            return customer.name  # 散客, not its register's word 零售
        english = [a for a in customer.aliases if a.isascii()]
        if english:  # "walk-in": a walk-in customer
            return f"a {english[0]} customer"
        surname, *given = lazy_pinyin(customer.name)
        return f"{surname.title()} {''.join(given).title()}"

    def _pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]
