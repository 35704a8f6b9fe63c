"""Documents as the turn API shows them (the public contract scripted checks read)."""

from __future__ import annotations

from typing import Any

from assistant.ledger.views import Document


def document_json(document: Document) -> dict[str, Any]:
    return {
        "type": document.type,
        "id": document.id,
        "status": document.status,
        "site": document.site,
        "customer": document.customer.model_dump() if document.customer else None,
        "date": document.date.isoformat() if document.date else None,
        "lines": [
            {
                "item": line.item,
                "item_name": line.item_name,
                "qty_base": float(line.qty_base),
                "from": line.from_location,
                "to": line.to_location,
                **({"unit_price": float(line.unit_price)} if line.unit_price is not None else {}),
                **({"line_total": float(line.line_total)} if line.line_total is not None else {}),
            }
            for line in document.lines
        ],
        **({"total": float(document.total)} if document.total is not None else {}),
        "turn_id": document.turn_id,
        "created_at": document.created_at.isoformat(),
    }
