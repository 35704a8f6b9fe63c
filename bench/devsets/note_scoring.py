"""Whether the fields read off a note are the ones written, and whether a wrong one is at least flagged.

Each of the four fields an order slip names — customer, date, item, amount — comes out as one of:

- right: the value is the expected code, ISO date, or (amount) the expected quantity in base units, converted
  for the expected item so that a misread item does not also count as a wrong amount;
- flagged: wrong, but the person is asked: the field is missing (the dialogue asks for it), has no value, or is
  marked low_confidence (the draft says 请核对 and shows its alternatives — only such fields show them);
- silent: wrong and presented as sure. This is the costly kind: a draft order with the wrong customer or amount
  that nothing asks the clerk to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.language.fields import FieldReading
from assistant.language.quantities import UnitMismatch, to_base
from assistant.language.reading import Reading
from assistant.world.schema import World
from bench.devsets.notes import NoteExpect

FIELDS = ("customer", "date", "item", "amount")
Outcome = Literal["right", "flagged", "silent"]


@dataclass(frozen=True, slots=True)
class FieldOutcome:
    outcome: Outcome
    read: str | None  # the value read: code, ISO date, or the quantity in base units; None when missing
    expected: str
    text: str | None  # the words the field was read from
    confidence: float | None


@dataclass(frozen=True, slots=True)
class NoteScore:
    fields: dict[str, FieldOutcome]

    @property
    def right(self) -> bool:
        """Every field right: the draft is the order written."""
        return all(f.outcome == "right" for f in self.fields.values())

    @property
    def silently_wrong(self) -> bool:
        """Some field wrong and nothing asks about it."""
        return any(f.outcome == "silent" for f in self.fields.values())


def score_note(reading: Reading, fields: tuple[FieldReading, ...], expect: NoteExpect, world: World) -> NoteScore:
    by_name: dict[str, FieldReading] = {f.name: f for f in fields}
    wanted = {"customer": expect.customer, "date": expect.date, "item": expect.item, "amount": str(expect.qty_base)}
    out: dict[str, FieldOutcome] = {}
    for name in FIELDS:
        field = by_name.get(name)
        value = _quantity(reading, world, expect.item) if name == "amount" else (field.value if field else None)
        if value == wanted[name]:
            outcome: Outcome = "right"
        elif field is None or field.value is None or field.low_confidence:
            outcome = "flagged"
        else:
            outcome = "silent"
        out[name] = FieldOutcome(outcome, value, wanted[name], field.text if field else None,
                                 field.confidence if field else None)
    return NoteScore(out)


def _quantity(reading: Reading, world: World, item_code: str) -> str | None:
    amount = reading.mentions.amount
    if amount is None:
        return None
    try:
        qty = to_base(world, world.item(item_code), amount.amount).qty_base
    except UnitMismatch:
        return f"{amount.text} (not a unit of {item_code})"
    return str(int(qty)) if qty == int(qty) else str(qty)
