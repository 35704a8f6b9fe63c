"""Documents as the turn API shows them (the public contract scripted checks read)."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from assistant.dialogue.agv import why_waiting
from assistant.fleet import AgvOrderView
from assistant.ledger.views import Document, DocumentLine
from assistant.pipeline.turn import TurnResult


def _line_json(line: DocumentLine) -> dict[str, Any]:
    return {
        "item": line.item,
        "item_name": line.item_name,
        "qty_base": float(line.qty_base),
        "from": line.from_location,
        "to": line.to_location,
        **({"unit_price": float(line.unit_price)} if line.unit_price is not None else {}),
        **({"line_total": float(line.line_total)} if line.line_total is not None else {}),
        **({"lot": line.lot} if line.lot else {}),
        **({"expiry": line.expiry.isoformat()} if line.expiry else {}),
    }


def _sale_lines(lines: list[DocumentLine]) -> list[dict[str, Any]]:
    """One line per item, as the customer sees the order; where it was taken from (shelf, then back room) is
    kept in `picks` (the ledger keeps one move per location)."""
    by_item: dict[str, dict[str, Any]] = {}
    for line in lines:
        shown = by_item.get(line.item)
        if shown is None:
            shown = by_item[line.item] = {**_line_json(line), "picks": []}
        else:
            shown["qty_base"] += float(line.qty_base)
            if line.line_total is not None:
                shown["line_total"] = round(shown.get("line_total", 0.0) + float(line.line_total), 2)
        shown["picks"].append({"from": line.from_location, "qty_base": float(line.qty_base)})
    return list(by_item.values())


def document_json(document: Document) -> dict[str, Any]:
    lines = list(document.lines)
    return {
        "type": document.type,
        "id": document.id,
        "status": document.status,
        "site": document.site,
        "customer": document.customer.model_dump() if document.customer else None,
        "date": document.date.isoformat() if document.date else None,
        "lines": _sale_lines(lines) if document.type == "sales_order" else [_line_json(line) for line in lines],
        **({"total": float(document.total)} if document.total is not None else {}),
        "turn_id": document.turn_id,
        "created_at": document.created_at.isoformat(),
    }


def agv_order_json(order: AgvOrderView) -> dict[str, Any]:
    """The AGV order behind a transfer, as a document of the turn (`transfer` links them). Why a waiting order
    waits, `message` (Mandarin) and `message_en`, is rendered from its reason: the fleet stores no text."""
    return {
        "type": "agv_order",
        "id": order.order_id or f"{order.doc_id}-AGV",
        "status": str(order.status),
        "transfer": order.doc_id,
        "site": order.site,
        "agv": order.serial,
        "lines": [{"from": source, "to": order.destination} for source in order.sources],
        "route_m": order.route_m,
        "message": why_waiting(order, "zh"),
        "message_en": why_waiting(order, "en"),
    }


_TITLES = {"transfer_stock": ("调拨", "Transfer"), "create_sales_order": ("销售", "Sale"),
           "check_stock": ("库存", "Stock"), "dispatch_agv": ("小车", "AGV"), "affirm": ("已确认", "Confirmed"),
           "cancel": ("已取消", "Cancelled"), "deny": ("已取消", "Cancelled")}
_CARD_LINE_CHARS = 22  # the glasses show 854×480: two short lines at a readable size
_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")


def headset_reply(turn: TurnResult) -> dict[str, Any]:
    """The reply as an AR headset shows and speaks it: a small card and a TTS text without bracketed extras."""
    en = turn.reply.language == "en"
    zh_title, en_title = _TITLES.get(turn.intent.utterance or turn.intent.name or "", ("前线助手", "Frontline"))
    sentences = [s for s in re.split(r"(?<=[。!?！？\n])", turn.reply.text) if s.strip()]
    lines = [textwrap.shorten(s.strip(), _CARD_LINE_CHARS, placeholder="…") if en else
             (s.strip() if len(s.strip()) <= _CARD_LINE_CHARS else s.strip()[: _CARD_LINE_CHARS - 1] + "…")
             for s in sentences[:2]]
    return {
        "text": turn.reply.text,
        "tts": _PARENTHESES.sub("", turn.reply.text).replace("\n", " "),
        "card": {"title": en_title if en else zh_title, "lines": lines},
        "awaiting": turn.awaiting,
        "language": turn.reply.language,
    }
