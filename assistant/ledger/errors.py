"""Ledger errors: a stable `code` plus structured fields, no message text.

The dialogue layer renders messages (in the user's language) from `code` and `fields()`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar


@dataclass(eq=False)
class LedgerError(Exception):
    code: ClassVar[str] = "ledger_error"

    def __post_init__(self) -> None:
        # Positional args in field order keep the exception picklable and its repr useful.
        self.args = tuple(getattr(self, f.name) for f in dataclasses.fields(self))

    def fields(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __str__(self) -> str:
        return f"{self.code} {self.fields()}"


@dataclass(eq=False)
class InsufficientStock(LedgerError):
    code: ClassVar[str] = "insufficient_stock"
    item: str
    requested: Decimal
    available: Decimal


@dataclass(eq=False)
class InvalidQuantity(LedgerError):
    code: ClassVar[str] = "invalid_quantity"
    qty: Decimal


@dataclass(eq=False)
class UnknownSite(LedgerError):
    code: ClassVar[str] = "unknown_site"
    site: str


@dataclass(eq=False)
class UnknownItem(LedgerError):
    code: ClassVar[str] = "unknown_item"
    item: str


@dataclass(eq=False)
class UnknownLocation(LedgerError):
    code: ClassVar[str] = "unknown_location"
    location: str


@dataclass(eq=False)
class UnknownCustomer(LedgerError):
    code: ClassVar[str] = "unknown_customer"
    customer: str


@dataclass(eq=False)
class LocationInOtherSite(LedgerError):
    """`site` is the site the location belongs to (the caller knows the one it asked for)."""

    code: ClassVar[str] = "location_in_other_site"
    location: str
    site: str


@dataclass(eq=False)
class SameLocation(LedgerError):
    code: ClassVar[str] = "same_location"
    location: str


@dataclass(eq=False)
class InvalidState(LedgerError):
    code: ClassVar[str] = "invalid_state"
    document: str
    status: str
    action: str


@dataclass(eq=False)
class DocumentNotFound(LedgerError):
    code: ClassVar[str] = "document_not_found"
    document: str


@dataclass(eq=False)
class CustomerOfOtherSite(LedgerError):
    """The customer buys from another site (`site`): a site sells only to its own customers and to those of none."""

    code: ClassVar[str] = "customer_of_other_site"
    customer: str
    site: str


@dataclass(eq=False)
class OverCreditLimit(LedgerError):
    """The order's total is more than the customer's available credit (limit − open receivables)."""

    code: ClassVar[str] = "over_credit_limit"
    customer: str
    total: Decimal
    available: Decimal
    limit: Decimal
