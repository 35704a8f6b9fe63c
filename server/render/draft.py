"""The command waiting for a yes, shown as a draft document: what a tablet lays out as a form with a confirm
button, in the shape of the document the confirmation writes (status "draft"), in the reader's language."""

from __future__ import annotations

from assistant.dialogue.proposal import Proposal, TransferProposal, draft_id
from assistant.dialogue.quantities import format_qty, item_name, price_text
from assistant.ledger.pricing import price_of
from assistant.world.schema import World
from server.schemas.documents import DraftCustomerOut, DraftLineOut, DraftOut


def draft_out(world: World, proposal: Proposal, lang: str) -> DraftOut:
    item = world.item(proposal.item)
    line = DraftLineOut(item=item.code, item_name=item_name(item, lang), qty_base=float(proposal.qty_base),
                        qty_text=format_qty(world, item, proposal.qty_base, lang), lot=proposal.lot,
                        expiry=proposal.expiry.isoformat() if proposal.expiry else None)
    if isinstance(proposal, TransferProposal):
        line = line.model_copy(update={"from_location": proposal.source, "to_location": proposal.destination})
        return DraftOut(id=draft_id(proposal), type="transfer", site=proposal.site, lines=[line])
    total = price_of(world, item, proposal.qty_base)
    if item.price is not None:
        line = line.model_copy(update={"unit_price": float(item.price), "price_unit": item.price_per,
                                       "price_text": price_text(world, item, lang)})
    if total is not None:
        line = line.model_copy(update={"line_total": float(total)})
    customer = next((c for c in world.customers if c.code == proposal.customer), None)
    return DraftOut(
        id=draft_id(proposal), type="sales_order", site=proposal.site,
        customer=DraftCustomerOut(code=customer.code, name=customer.name, new=False) if customer else
        DraftCustomerOut(code=None, name=proposal.new_customer or "", new=True),
        date=proposal.order_date.isoformat(), lines=[line], total=float(total) if total is not None else None,
    )
