"""The contract's clauses: a text file the business edits (templates/sales_contract.zh.md is shipped), with `$name`
placeholders filled from the contract's values by `string.Template` (substitution only: nothing in the file is run).

A template naming a placeholder it cannot have is refused when it is loaded, with the names it may use, so a typo
shows when the app starts, not in a customer's contract."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assistant.contracts.model import Contract

DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "sales_contract.zh.md"
PLACEHOLDERS = frozenset({
    "contract_number", "signed_on", "sign_place", "seller", "buyer", "seller_address", "buyer_address",
    "delivery_date", "delivery_place", "total", "total_in_capitals", "net_total", "tax_total",
})
_NOTE = "# "
_CLAUSE = "## "


class TemplateError(ValueError):
    """The clause template cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class Clause:
    heading: str
    paragraphs: tuple[str, ...]


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: Decimal) -> str:
    """12,345.60: thousands grouped, always two decimals."""
    return f"{amount:,.2f}"


@dataclass(frozen=True)
class ClauseTemplate:
    path: Path
    text: str

    @classmethod
    def load(cls, path: Path | None = None) -> ClauseTemplate:
        path = path or DEFAULT_TEMPLATE
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"contract template {path}: cannot be read ({exc})") from exc
        template = string.Template(_without_notes(text))
        if not template.is_valid():
            raise TemplateError(f"contract template {path}: a '$' that is not a placeholder (write $$ for '$')")
        unknown = sorted(set(template.get_identifiers()) - PLACEHOLDERS)
        if unknown:
            raise TemplateError(f"contract template {path}: unknown placeholders {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(PLACEHOLDERS))}")
        found = cls(path, text)
        if not found.clauses(_values_for_check()):
            raise TemplateError(f"contract template {path}: no clause (a line starting with '## ')")
        return found

    def render(self, contract: Contract) -> tuple[Clause, ...]:
        return self.clauses(values_of(contract))

    def clauses(self, values: dict[str, str]) -> tuple[Clause, ...]:
        filled = string.Template(_without_notes(self.text)).substitute(values)
        clauses: list[Clause] = []
        heading: str | None = None
        paragraphs: list[str] = []
        current: list[str] = []

        def end_paragraph() -> None:
            if current:
                paragraphs.append("".join(current))
                current.clear()

        def end_clause() -> None:
            end_paragraph()
            if heading is not None:
                clauses.append(Clause(heading, tuple(paragraphs)))
            paragraphs.clear()

        for raw in filled.splitlines():
            line = raw.strip()
            if line.startswith(_CLAUSE):
                end_clause()
                heading = line.removeprefix(_CLAUSE).strip()
            elif not line:
                end_paragraph()
            elif heading is not None:  # text before the first clause is a note too
                current.append(line)
        end_clause()
        return tuple(clauses)


def _without_notes(text: str) -> str:
    """The template without its notes to the editor (which may show placeholders as examples)."""
    return "\n".join(line for line in text.splitlines()
                     if not (line.strip().startswith(_NOTE) or line.strip() == "#"))


def values_of(contract: Contract) -> dict[str, str]:
    """Every placeholder's text for `contract` (what a customer has no record of reads as a line to fill in)."""
    blank = "________"
    return {
        "contract_number": contract.number,
        "signed_on": chinese_date(contract.signed_on),
        "sign_place": contract.sign_place or blank,
        "seller": contract.seller.name,
        "buyer": contract.buyer.name,
        "seller_address": contract.seller.address or blank,
        "buyer_address": contract.buyer.address or blank,
        "delivery_date": chinese_date(contract.delivery_date) if contract.delivery_date else "双方约定的日期",
        "delivery_place": contract.delivery_place or "乙方指定的地点",
        "total": yuan(contract.total),
        "total_in_capitals": contract.total_in_capitals,
        "net_total": yuan(contract.net_total),
        "tax_total": yuan(contract.tax_total),
    }


def _values_for_check() -> dict[str, str]:
    return dict.fromkeys(PLACEHOLDERS, "x")
