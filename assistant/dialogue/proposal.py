"""A stock-changing command, read back and waiting for an explicit yes.

It lives in the `proposal` slot as plain JSON between the read-back and the confirmation; confirming plans it
again against the ledger (stock may have changed meanwhile) and only then writes."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from assistant.catalogue import say, say_date
from assistant.dialogue.quantities import format_qty, item_name, location_name, price_text
from assistant.ledger.pricing import price_of
from assistant.ledger.service import Ledger
from assistant.ledger.views import Document, SalesPlan
from assistant.world.schema import World


class _GoodsProposal(BaseModel):
    """An amount of one item at a site; `lot`/`expiry` come from a scanned GS1 label of that item."""

    site: str
    item: str
    qty_base: Decimal
    lot: str | None = None
    expiry: date | None = None
    # This read-back's own id, given when it is read back (`keyed`): the document written for it carries it, so a
    # second yes to the same read-back (its first answer lost with an app that died) finds that document.
    key: str | None = None


class TransferProposal(_GoodsProposal):
    kind: Literal["transfer"] = "transfer"
    destination: str
    source: str | None = None


class SaleProposal(_GoodsProposal):
    """`customer` is a code; or None with `new_customer` the name the person agreed to register."""

    kind: Literal["sale"] = "sale"
    customer: str | None
    order_date: date
    new_customer: str | None = None
    delivery_date: date | None = None  # delivered at the latest on this day (月底前 → the month's last day)
    delivery_place: str | None = None  # where the goods go: as said, else the customer's address


class CancelProposal(BaseModel):
    """Undo a transfer this device confirmed a moment ago: releases its reservation (and stops its AGV)."""

    kind: Literal["cancel"] = "cancel"
    site: str
    document: str


Proposal = TransferProposal | SaleProposal


def keyed(proposal: Proposal) -> Proposal:
    """The proposal as it is read back: with an id of its own (a repeated command is a new read-back)."""
    return proposal.model_copy(update={"key": uuid.uuid4().hex})


def draft_id(proposal: Proposal) -> str:
    """A short fingerprint of a read-back: a confirmation that names it confirms exactly that command."""
    return hashlib.sha256(proposal.model_dump_json().encode()).hexdigest()[:16]


def parse_proposal(raw: object) -> Proposal | CancelProposal | None:
    if not isinstance(raw, dict):
        return None
    if raw.get("kind") == "cancel":
        return CancelProposal.model_validate(raw)
    if raw.get("kind") == "transfer":
        return TransferProposal.model_validate(raw)
    if raw.get("kind") == "sale":
        return SaleProposal.model_validate(raw)
    return None


def _customer_name(world: World, proposal: SaleProposal, lang: str) -> str:
    if proposal.customer is None:
        return say("new-customer", lang, name=proposal.new_customer or "")
    return next((c.name for c in world.customers if c.code == proposal.customer), proposal.customer)


def check(ledger: Ledger, proposal: Proposal, *, check_credit: bool = True) -> None:
    """Plan against current stock (and the customer's credit); raises the ledger's error when it cannot go through.
    Writes nothing."""
    if isinstance(proposal, TransferProposal):
        ledger.plan_transfer(proposal.site, proposal.item, proposal.qty_base, proposal.destination,
                             source=proposal.source)
    else:
        _plan_sale(ledger, proposal, check_credit=check_credit)


def _plan_sale(ledger: Ledger, proposal: SaleProposal, *, check_credit: bool = True) -> SalesPlan:
    return ledger.plan_sales_order(proposal.site, proposal.customer, proposal.order_date,
                                   [(proposal.item, proposal.qty_base)], new_customer=proposal.new_customer,
                                   delivery_date=proposal.delivery_date, delivery_place=proposal.delivery_place,
                                   check_credit=check_credit)


def request_sale(ledger: Ledger, proposal: SaleProposal, *, device: str, worker: str | None, turn_id: str
                 ) -> Document:
    """Store a confirmed sale over its customer's credit: it waits for a manager's approval, nothing deducted."""
    if (done := written(ledger, proposal)) is not None:
        return done
    plan = _plan_sale(ledger, proposal, check_credit=False)
    lots = {proposal.item: (proposal.lot, proposal.expiry)} if proposal.lot or proposal.expiry else {}
    return ledger.request_sales_order(plan, device=device, worker=worker, turn_id=turn_id, lots=lots,
                                      confirms=proposal.key)


def delivery_text(proposal: SaleProposal, lang: str) -> str | None:
    """送到哪里、哪天之前: None when the order says neither (a shop's counter sale)."""
    when = say_date(proposal.delivery_date, lang) if proposal.delivery_date else None
    if when and proposal.delivery_place:
        return say("delivery-by", lang, date=when, place=proposal.delivery_place)
    if proposal.delivery_place:
        return say("delivery-to", lang, place=proposal.delivery_place)
    return say("delivery-by-only", lang, date=when) if when else None


def read_back(world: World, proposal: Proposal, lang: str) -> str:
    item = world.item(proposal.item)
    amount = format_qty(world, item, proposal.qty_base, lang)
    if isinstance(proposal, TransferProposal):
        values = {"item": item_name(item, lang), "amount": amount,
                  "to": location_name(world, proposal.destination, lang)}
        if proposal.lot:
            values["item"] += say("lot", lang, lot=proposal.lot)
        if proposal.source:
            return say("read-back-transfer-from", lang, source=location_name(world, proposal.source, lang),
                       **values)
        return say("read-back-transfer", lang, **values)
    total = price_of(world, item, proposal.qty_base) or Decimal(0)
    name = item_name(item, lang) + (say("lot", lang, lot=proposal.lot) if proposal.lot else "")
    delivery = delivery_text(proposal, lang)
    if delivery is not None:
        return say("read-back-sale-delivery", lang, customer=_customer_name(world, proposal, lang), item=name,
                   amount=amount, price=price_text(world, item, lang), total=f"{total:.2f}", delivery=delivery)
    return say("read-back-sale", lang, customer=_customer_name(world, proposal, lang),
               date=proposal.order_date.isoformat(), item=name, amount=amount,
               price=price_text(world, item, lang), total=f"{total:.2f}")


def written(ledger: Ledger, proposal: Proposal) -> Document | None:
    """The document already written for this very read-back (confirmed through an app that died before it answered)."""
    return ledger.document_confirming(proposal.key) if proposal.key else None


def execute(ledger: Ledger, proposal: Proposal, *, device: str, worker: str | None, turn_id: str) -> Document:
    """Write the confirmed command: reserve for a transfer, deduct for a sale. One ledger transaction; a read-back
    already written answers with its document."""
    if (done := written(ledger, proposal)) is not None:
        return done
    if isinstance(proposal, TransferProposal):
        plan = ledger.plan_transfer(proposal.site, proposal.item, proposal.qty_base, proposal.destination,
                                    source=proposal.source)
        return ledger.confirm_transfer(plan, device=device, worker=worker, turn_id=turn_id, lot=proposal.lot,
                                       expiry=proposal.expiry, confirms=proposal.key)
    sale = _plan_sale(ledger, proposal)
    lots = {proposal.item: (proposal.lot, proposal.expiry)} if proposal.lot or proposal.expiry else {}
    return ledger.confirm_sales_order(sale, device=device, worker=worker, turn_id=turn_id, lots=lots,
                                      confirms=proposal.key)


def request(ledger: Ledger, proposal: TransferProposal, *, device: str, worker: str | None, turn_id: str
            ) -> Document:
    """Store a confirmed transfer that is over its requester's limit: planned now, reserved only once approved."""
    if (done := written(ledger, proposal)) is not None:
        return done
    plan = ledger.plan_transfer(proposal.site, proposal.item, proposal.qty_base, proposal.destination,
                                source=proposal.source)
    return ledger.request_transfer(plan, device=device, worker=worker, turn_id=turn_id, lot=proposal.lot,
                                   expiry=proposal.expiry, confirms=proposal.key)


def confirmation(world: World, proposal: Proposal, document: Document, lang: str) -> str:
    item = world.item(proposal.item)
    amount = format_qty(world, item, proposal.qty_base, lang)
    if isinstance(proposal, TransferProposal):
        sources = "、".join(sorted({line.from_location or "" for line in document.lines} - {""}))
        return say("confirmed-transfer", lang, doc=document.id, item=item_name(item, lang), amount=amount,
                   to=location_name(world, proposal.destination, lang), sources=sources)
    customer = document.customer.name if document.customer else _customer_name(world, proposal, lang)
    delivery = delivery_text(proposal, lang)
    if delivery is not None:
        return say("confirmed-sale-delivery", lang, doc=document.id, customer=customer, item=item_name(item, lang),
                   amount=amount, total=f"{document.total or 0:.2f}", delivery=delivery)
    return say("confirmed-sale", lang, doc=document.id, customer=customer,
               item=item_name(item, lang), amount=amount, total=f"{document.total or 0:.2f}")


def low_stock_note(world: World, ledger: Ledger, proposal: Proposal, lang: str) -> str | None:
    """A warning when the command left the item below its safety level at this site."""
    minimum = next((s.minimum for s in world.safety_stock
                    if s.site == proposal.site and s.item == proposal.item), None)
    if minimum is None:
        return None
    available = ledger.available_total(proposal.site, proposal.item)
    if available >= minimum:
        return None
    item = world.item(proposal.item)
    return say("low-stock", lang, item=item_name(item, lang), available=format_qty(world, item, available, lang),
               minimum=format_qty(world, item, minimum, lang))
