"""Whether the assistant's reading of a transcript finds what a generated sentence says.

Only what the sentence says is checked: the item, the destination, the customer, that an amount was found and
that it comes to the right quantity in base units (converted for the expected item, so an item misheard does not
also count as a wrong quantity), and for an answer, that its kind of word — and no other kind — was heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.language.quantities import UnitMismatch, to_base
from assistant.language.reading import Reading
from assistant.language.resolve import Match, Resolution
from assistant.world.schema import World
from bench.devsets.voice import ANSWER_WORDS, Answer, Expect

CHECKS = ("item", "to", "customer", "amount", "quantity", "answer")


@dataclass(frozen=True, slots=True)
class Score:
    checks: dict[str, bool] = field(default_factory=dict)  # only the checks the sentence calls for
    # the checks whose field was read as some value (a name resolved, an amount found, an answer word): a field
    # missing or unresolved is asked for, never taken
    read: dict[str, bool] = field(default_factory=dict)

    @property
    def understood(self) -> bool:
        """Everything the sentence says was read right."""
        return all(self.checks.values())

    @property
    def wrong_value(self) -> bool:
        """Some field was read as another value than the one said (not merely missed)."""
        return any(not ok and self.read.get(name, False) for name, ok in self.checks.items())


def score(reading: Reading, expect: Expect, world: World, lang: str) -> Score:
    m = reading.mentions
    checks: dict[str, bool] = {}
    read: dict[str, bool] = {}
    if expect.item is not None:
        checks["item"] = m.item is not None and _code(m.item.resolution) == expect.item
        read["item"] = m.item is not None and _code(m.item.resolution) is not None
    if expect.to is not None:
        checks["to"] = m.destination is not None and _code(m.destination.resolution) == expect.to
        read["to"] = m.destination is not None and _code(m.destination.resolution) is not None
    if expect.customer is not None:
        checks["customer"] = m.customer is not None and _code(m.customer.resolution) == expect.customer
        read["customer"] = m.customer is not None and _code(m.customer.resolution) is not None
    if expect.qty_base is not None:
        checks["amount"] = m.amount is not None
        checks["quantity"] = m.amount is not None and expect.item is not None and \
            _quantity(world, expect.item, reading) == expect.qty_base
        read["amount"] = read["quantity"] = m.amount is not None
    if expect.answer is not None:
        heard = answers_heard(reading.text, lang)
        checks["answer"] = heard == {expect.answer}
        read["answer"] = bool(heard)
    return Score(checks, read)


def answers_heard(text: str, lang: str) -> set[Answer]:
    """The kinds of answer word in a transcript, reading left to right and taking the longest word at each
    place ("不对" is a no, not a 不 and a 对; "不要了" a cancel)."""
    words = ANSWER_WORDS[lang]
    by_length = sorted(((w, kind) for kind, ws in words.items() for w in ws), key=lambda p: -len(p[0]))
    heard: set[Answer] = set()
    if lang == "zh":
        rest = re.sub(r"\s+", "", text)
        i = 0
        while i < len(rest):
            hit = next(((w, k) for w, k in by_length if rest.startswith(w, i)), None)
            heard |= {hit[1]} if hit else set()
            i += len(hit[0]) if hit else 1
        return heard
    tokens = re.findall(r"[a-z]+", text.lower())
    phrases = [(w.split(), k) for w, k in by_length]
    i = 0
    while i < len(tokens):
        found = next(((p, k) for p, k in phrases if tokens[i:i + len(p)] == p), None)
        heard |= {found[1]} if found else set()
        i += len(found[0]) if found else 1
    return heard


def _code(resolution: Resolution) -> str | None:
    return resolution.code if isinstance(resolution, Match) else None


def _quantity(world: World, item_code: str, reading: Reading) -> int | None:
    amount = reading.mentions.amount
    if amount is None:
        return None
    try:
        qty = to_base(world, world.item(item_code), amount.amount).qty_base
    except UnitMismatch:
        return None
    return int(qty) if qty == int(qty) else None
