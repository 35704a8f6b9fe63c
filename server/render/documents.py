"""Ledger documents and AGV orders as the API shows them (the public contract scripted checks read)."""

from __future__ import annotations

from assistant.contracts.models import ContractStatus
from assistant.contracts.views import ContractInfo
from assistant.dialogue.agv import why_waiting
from assistant.fleet import AgvOrderView
from assistant.ledger.views import Document, DocumentLine
from server.schemas.documents import (
    AgvLegOut,
    AgvOrderOut,
    ContractOut,
    CustomerOut,
    DocumentLineOut,
    DocumentOut,
    PickOut,
)


def _line(line: DocumentLine) -> DocumentLineOut:
    return DocumentLineOut(
        item=line.item, item_name=line.item_name, qty_base=float(line.qty_base),
        from_location=line.from_location, to_location=line.to_location,
        unit_price=float(line.unit_price) if line.unit_price is not None else None,
        line_total=float(line.line_total) if line.line_total is not None else None,
        lot=line.lot or None, expiry=line.expiry.isoformat() if line.expiry else None,
    )


def _sale_lines(lines: list[DocumentLine]) -> list[DocumentLineOut]:
    """One line per item, as the customer sees the order; where it was taken from (shelf, then back room) is
    kept in `picks` (the ledger keeps one move per location)."""
    by_item: dict[str, DocumentLineOut] = {}
    for line in lines:
        pick = PickOut(from_location=line.from_location, qty_base=float(line.qty_base))
        shown = by_item.get(line.item)
        if shown is None:
            by_item[line.item] = _line(line).model_copy(update={"picks": [pick]})
            continue
        total = shown.line_total
        if line.line_total is not None:
            total = round((total or 0.0) + float(line.line_total), 2)
        by_item[line.item] = shown.model_copy(update={
            "qty_base": shown.qty_base + float(line.qty_base), "line_total": total,
            "picks": [*(shown.picks or []), pick]})
    return list(by_item.values())


def contract_out(contract: ContractInfo | None) -> ContractOut | None:
    """A signed contract as its document names it; None while it is being made, or when there is none."""
    if contract is None or contract.status != ContractStatus.signed or contract.sha256 is None \
            or contract.signed_at is None:
        return None
    return ContractOut(number=contract.number, url=f"/api/v1/documents/{contract.document_id}/contract.pdf",
                       sha256=contract.sha256, signed_at=contract.signed_at.isoformat())


def document_out(document: Document, contract: ContractInfo | None = None) -> DocumentOut:
    lines = list(document.lines)
    return DocumentOut(
        type=document.type.value,
        id=document.id,
        status=document.status.value,
        site=document.site,
        customer=CustomerOut(code=document.customer.code, name=document.customer.name) if document.customer
        else None,
        date=document.date.isoformat() if document.date else None,
        lines=_sale_lines(lines) if document.type == "sales_order" else [_line(line) for line in lines],
        total=float(document.total) if document.total is not None else None,
        turn_id=document.turn_id,
        created_at=document.created_at.isoformat(),
        decided_by=document.decided_by,
        turns=document.turns,
        delivery_date=document.delivery_date.isoformat() if document.delivery_date else None,
        delivery_place=document.delivery_place,
        contract=contract_out(contract),
    )


def agv_order_out(order: AgvOrderView) -> AgvOrderOut:
    """The AGV order behind a transfer, as a document of the turn (`transfer` links them). Why a waiting order
    waits, `message` (Mandarin) and `message_en`, is rendered from its reason: the fleet stores no text."""
    return AgvOrderOut(
        id=order.order_id or f"{order.doc_id}-AGV",
        status=str(order.status),
        transfer=order.doc_id,
        site=order.site,
        agv=order.serial,
        lines=[AgvLegOut(from_location=source, to_location=order.destination) for source in order.sources],
        route_m=order.route_m,
        message=why_waiting(order, "zh"),
        message_en=why_waiting(order, "en"),
    )
