"""The notes dev set's contents: tea-shop order slips as a clerk writes them with a finger on a tablet, generated
from the world.

    notes = generate(load_world())        # fixed seed: the same 200 notes every time
    notes[0]  # NoteCase(id="n0000", lines=("刘芳 25.3.14", "买龙井茶3两"), expect=NoteExpect(...), form=NoteForm(...))

Each note names a customer, a date, a tea and an amount, and carries what a right reading finds: the customer's
code, the ISO date, the item's code and the quantity in the item's base unit (grams, computed here from the
world's unit factors, never by the product's parser). How it is written varies and is recorded in `NoteForm` so
the benchmark can say which forms fail: the date's written form (2025/7/9, 25.7.9, 7月9日, 2025年7月9日,
2025-07-09, 2025.7.9), the separator between parts (comma, full-width comma, space, none), the word order, the
verb (购/买/要/订/none), digits or Chinese numerals, and one or two lines. The images are made by
`bench.devsets.note_images`.

The shared note fixtures are never read here (they stay a last check, nobody tunes to them); a test checks that
no generated note says what one of them says.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar

from assistant.world.schema import Customer, Item, World
from bench.devsets.numerals import zh_number

SEED = 20261201
COUNT = 200
SHOP = "FZ"  # the tea shop: its tablets photograph the slips
TODAY = date(2026, 6, 1)  # the reading's "today": a date written without a year is in this year
_CJK = re.compile(r"[\u3400-\u9fff]")
T = TypeVar("T")

DateFormat = Literal["slash", "short-dot", "month-day", "chinese", "iso", "dot"]
DATE_FORMATS: tuple[DateFormat, ...] = ("slash", "short-dot", "month-day", "chinese", "iso", "dot")
DATE_EXAMPLES = {"slash": "2025/7/9", "short-dot": "25.7.9", "month-day": "7月9日", "chinese": "2025年7月9日",
                 "iso": "2025-07-09", "dot": "2025.7.9"}
Separator = Literal["comma", "fullwidth-comma", "space", "none"]
SEPARATORS: dict[Separator, str] = {"comma": ",", "fullwidth-comma": "，", "space": " ", "none": ""}
Order = Literal["customer-date-order", "date-customer-order", "customer-order-date", "customer-date-goods"]
# How the words of the order itself go: verb + item + amount ("购铁观音2斤"), verb + amount + item ("买2斤龙井"),
# or no verb ("铁观音2斤").
Goods = Literal["verb-item-amount", "verb-amount-item", "item-amount"]
VERBS = ("购", "买", "要", "订")


@dataclass(frozen=True, slots=True)
class NoteExpect:
    """What a right reading of the note finds, as codes."""

    customer: str
    date: str  # ISO
    item: str
    qty_base: int  # in the item's base unit (grams for tea)


@dataclass(frozen=True, slots=True)
class NoteForm:
    """How the note is written: what the benchmark groups its misses by."""

    date_format: DateFormat
    separator: Separator
    order: Order
    goods: Goods
    verb: str  # "" when the order has none
    amount: str  # the amount as written: "2斤", "半斤", "1.5斤", "三两"
    numerals: Literal["digits", "chinese"]
    item_name: str  # the name or alias written
    lines: int


@dataclass(frozen=True, slots=True)
class NoteCase:
    id: str
    lines: tuple[str, ...]
    expect: NoteExpect
    form: NoteForm

    @property
    def text(self) -> str:
        """The note as a perfect OCR would join its lines."""
        return " ".join(self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "lines": list(self.lines), "expect": asdict(self.expect), "form": asdict(self.form)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteCase:
        return cls(data["id"], tuple(data["lines"]), NoteExpect(**data["expect"]), NoteForm(**data["form"]))


def generate(world: World, seed: int = SEED, count: int = COUNT) -> tuple[NoteCase, ...]:
    """`count` distinct notes drawn with `seed`. A smaller count gives a prefix of a larger one (a note's draw
    depends only on the seed and the notes before it)."""
    rng = random.Random(f"notes:{seed}")
    composer = _Composer(world, rng)
    seen: set[str] = set()
    cases: list[NoteCase] = []
    attempts = 0
    while len(cases) < count:
        attempts += 1
        if attempts > count * 50:
            raise RuntimeError(f"only {len(cases)} distinct notes could be made")
        lines, expect, form = composer.note()
        key = normal(" ".join(lines))
        if key in seen:
            continue
        seen.add(key)
        cases.append(NoteCase(f"n{len(cases):04d}", lines, expect, form))
    return tuple(cases)


def normal(text: str) -> str:
    """Text compared for sameness: no spaces or punctuation, full-width forms folded."""
    folded = text.replace("，", ",").replace("：", ":").replace("。", ".")
    return re.sub(r"[\W_]+", "", folded.lower())


def grams_of(world: World, unit_code: str) -> Decimal:
    """The base quantity of one unit of a tea unit, from the world's conversion factors."""
    unit = world.unit(unit_code)
    if unit.base is None:
        return Decimal(1)
    assert unit.factor is not None and unit.base == "g", unit
    return unit.factor


class _Composer:
    """Draws one note at a time."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.teas = [i for i in world.items if i.unit == "g"]
        # The walk-in customer is written too, but rarely: slips are mostly for regulars.
        self.customers = [c for c in world.customers if c.code != "C000"]
        self.walk_in = next((c for c in world.customers if c.code == "C000"), None)

    def note(self) -> tuple[tuple[str, ...], NoteExpect, NoteForm]:
        rng = self.rng
        customer = self._customer()
        item = self._pick(self.teas)
        item_name = self._pick([n for n in item.names if _CJK.search(n)])
        date_format: DateFormat = self._pick(DATE_FORMATS)
        day = self._day(date_format)
        written_date = write_date(day, date_format)
        amount, numerals, qty = self._amount(item)
        separator: Separator = rng.choices(list(SEPARATORS), weights=(35, 25, 30, 10))[0]
        order: Order = rng.choices(("customer-date-order", "date-customer-order", "customer-order-date",
                                    "customer-date-goods"), weights=(45, 20, 20, 15))[0]
        goods_form: Goods = "item-amount" if order == "customer-date-goods" else \
            self._pick(("verb-item-amount", "verb-amount-item"))
        verb = "" if goods_form == "item-amount" else self._pick(VERBS)
        goods = verb + (amount + item_name if goods_form == "verb-amount-item" else item_name + amount)
        if goods_form == "item-amount" and separator != "none" and rng.random() < 0.5:
            goods = item_name + SEPARATORS[separator] + amount  # "铁观音 2斤": its own part
        name = self._customer_name(customer)
        parts = {"customer-date-order": [name, written_date, goods],
                 "date-customer-order": [written_date, name, goods],
                 "customer-order-date": [name + goods, written_date] if rng.random() < 0.5 else
                                        [name, goods, written_date],
                 "customer-date-goods": [name, written_date, goods]}[order]
        lines = self._lines(parts, separator)
        form = NoteForm(date_format, separator, order, goods_form, verb, amount, numerals, item_name, len(lines))
        return lines, NoteExpect(customer.code, day.isoformat(), item.code, qty), form

    # -- parts of a note ------------------------------------------------------------------------------
    def _customer(self) -> Customer:
        if self.walk_in is not None and self.rng.random() < 0.05:
            return self.walk_in
        return self._pick(self.customers)

    def _customer_name(self, customer: Customer) -> str:
        return self._pick([n for n in customer.names if _CJK.search(n)])

    def _day(self, form: DateFormat) -> date:
        """A day in the last year and a half before TODAY; a date written without a year is in TODAY's year
        (that is how the clerk means it, and a slip is written on the day or soon after)."""
        if form == "month-day":
            return TODAY - timedelta(days=self.rng.randint(0, (TODAY - date(TODAY.year, 1, 1)).days))
        return TODAY - timedelta(days=self.rng.randint(0, 540))

    def _amount(self, item: Item) -> tuple[str, Literal["digits", "chinese"], int]:
        """An amount written as a clerk writes it, and its quantity in grams."""
        rng = self.rng
        jin, liang, gram, kg = (grams_of(self.world, u) for u in ("jin", "liang", "g", "kg"))
        # (written number, unit word, quantity of units); the number is digits unless the form says otherwise
        forms: list[tuple[str, Decimal]] = []
        forms += [(f"{n}斤", n * jin) for n in (1, 2, 3, 4, 5, 6, 8, 10)]
        forms += [(f"{n}两", n * liang) for n in (2, 3, 4, 5, 6, 8)]
        forms += [(f"{n}克", n * gram) for n in (50, 100, 150, 200, 250, 300, 500)]
        forms += [("1.5斤", Decimal("1.5") * jin), ("2.5斤", Decimal("2.5") * jin), ("0.5斤", Decimal("0.5") * jin)]
        forms += [(f"{n}公斤", n * kg) for n in (1, 2)] + [("1千克", kg)]
        if item.price_per == "cake":  # pu-erh is sold by the cake
            cake = grams_of(self.world, "cake")
            forms += [(f"{n}饼", n * cake) for n in (1, 2, 3, 4, 5)] * 3
        roll = rng.random()
        if roll < 0.08:
            text, grams = self._pick((("半斤", Decimal("0.5") * jin), ("一斤半", Decimal("1.5") * jin)))
            return text, "chinese", int(grams)
        text, grams = self._pick(forms)
        if roll < 0.22 and "." not in text:  # Chinese numerals: 三斤, 两斤, 六两
            number = int(re.match(r"\d+", text).group())  # type: ignore[union-attr]
            unit = text[len(str(number)):]
            if number <= 10:  # nobody writes 二百五十克 on a slip
                return zh_number(number, before_unit=unit != "两") + unit, "chinese", int(grams)
        return text, "digits", int(grams)

    def _lines(self, parts: list[str], separator: Separator) -> tuple[str, ...]:
        """One line joined by the separator, or two lines broken between parts (the last part alone)."""
        sep = SEPARATORS[separator]
        if len(parts) > 1 and self.rng.random() < 0.35:
            return (sep.join(parts[:-1]).strip(), parts[-1])
        return (sep.join(parts),)

    def _pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]


def write_date(day: date, form: DateFormat) -> str:
    """The day in one of the written forms; the forms without a year are only used for days in TODAY's year."""
    y, m, d = day.year, day.month, day.day
    return {"slash": f"{y}/{m}/{d}", "short-dot": f"{y % 100}.{m}.{d}", "month-day": f"{m}月{d}日",
            "chinese": f"{y}年{m}月{d}日", "iso": f"{y}-{m:02d}-{d:02d}", "dot": f"{y}.{m}.{d}"}[form]
