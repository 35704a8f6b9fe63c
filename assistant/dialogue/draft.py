"""The command waiting for a yes, shown as a draft document: what a tablet lays out as a form with a
confirm button, in the same shape as the documents the confirmation writes (status "draft")."""

from __future__ import annotations

from typing import Any

from assistant.dialogue.proposal import SaleProposal, TransferProposal, parse_proposal
from assistant.dialogue.quantities import format_qty, price_text
from assistant.ledger.pricing import price_of
from assistant.world.schema import World


def draft_json(world: World, raw_proposal: object, lang: str) -> dict[str, Any] | None:
    proposal = parse_proposal(raw_proposal)
    if not isinstance(proposal, SaleProposal | TransferProposal):
        return None  # nothing waiting, or an undo (which has its document already)
    item = world.item(proposal.item)
    line: dict[str, Any] = {"item": item.code, "item_name": item.name_en if lang == "en" else item.name,
                            "qty_base": float(proposal.qty_base),
                            "qty_text": format_qty(world, item, proposal.qty_base, lang)}
    if proposal.lot:
        line["lot"] = proposal.lot
    if proposal.expiry:
        line["expiry"] = proposal.expiry.isoformat()
    if isinstance(proposal, TransferProposal):
        return {"type": "transfer", "status": "draft", "site": proposal.site,
                "lines": [{**line, "from": proposal.source, "to": proposal.destination}]}
    total = price_of(world, item, proposal.qty_base)
    if item.price is not None:
        line["unit_price"] = float(item.price)
        line["price_unit"] = item.price_per
        line["price_text"] = price_text(world, item, lang)
    if total is not None:
        line["line_total"] = float(total)
    customer = next((c for c in world.customers if c.code == proposal.customer), None)
    return {
        "type": "sales_order", "status": "draft", "site": proposal.site,
        "customer": {"code": customer.code, "name": customer.name, "new": False} if customer else
        {"code": None, "name": proposal.new_customer, "new": True},
        "date": proposal.order_date.isoformat(),
        "lines": [line],
        **({"total": float(total)} if total is not None else {}),
    }
