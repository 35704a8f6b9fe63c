"""Ledger errors said to a person, in their language."""

from __future__ import annotations

from decimal import Decimal

from assistant.books.errors import VoucherVariance
from assistant.catalogue import say
from assistant.dialogue.quantities import format_qty, item_name
from assistant.ledger.errors import (
    CustomerOfOtherSite,
    DocumentNotFound,
    InsufficientStock,
    InvalidState,
    LedgerError,
    LocationInOtherSite,
    OverCreditLimit,
    SameLocation,
    UnknownItem,
    UnknownLocation,
)
from assistant.world.schema import World


def describe(world: World, error: LedgerError, lang: str) -> str:
    if isinstance(error, InsufficientStock):
        item = world.item(error.item)
        return say("insufficient-stock", lang, item=item_name(item, lang),
                   available=format_qty(world, item, Decimal(error.available), lang),
                   requested=format_qty(world, item, Decimal(error.requested), lang))
    if isinstance(error, LocationInOtherSite):
        site = world.site(error.site)
        return say("location-other-site", lang, location=error.location,
                   site=site.name_en if lang == "en" else site.name)
    if isinstance(error, OverCreditLimit):
        return say("credit-over", lang, customer=_customer_name(world, error.customer), total=f"{error.total:,.2f}",
                   available=f"{error.available:,.2f}", limit=f"{error.limit:,.2f}")
    if isinstance(error, CustomerOfOtherSite):
        site = world.site(error.site)
        return say("customer-other-site", lang, customer=_customer_name(world, error.customer),
                   site=site.name_en if lang == "en" else site.name)
    if isinstance(error, SameLocation):
        return say("same-location", lang)
    if isinstance(error, UnknownItem):
        return say("unknown-item", lang, text=error.item)
    if isinstance(error, UnknownLocation):
        return say("unknown-location", lang, text=error.location)
    if isinstance(error, InvalidState) and error.action in ("approve", "reject"):
        return say("approval-not-waiting", lang, doc=error.document)
    if isinstance(error, VoucherVariance):
        return say("voucher-variance", lang, doc=error.document or "", document_total=f"{error.document_total:.2f}",
                   voucher_total=f"{error.voucher_total:.2f}", limit=f"{(error.limit * 100).normalize():f}")
    if isinstance(error, DocumentNotFound):
        return say("document-not-found", lang, doc=error.document)
    return say("command-failed", lang, reason=error.code)


def credit_note(world: World, error: OverCreditLimit, lang: str) -> str:
    """An order over its customer's credit, read back with the numbers: it will wait for a manager's approval."""
    return say("credit-needs-approval", lang, customer=_customer_name(world, error.customer),
               total=f"{error.total:,.2f}", available=f"{error.available:,.2f}", limit=f"{error.limit:,.2f}")


def _customer_name(world: World, code: str) -> str:
    customer = world.customer(code)
    return customer.name if customer is not None else code
