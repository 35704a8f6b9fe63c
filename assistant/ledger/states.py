"""Document types, statuses and the status machine; stock move kinds."""

from __future__ import annotations

from enum import StrEnum


class DocType(StrEnum):
    transfer = "transfer"
    sales_order = "sales_order"


class DocStatus(StrEnum):
    draft = "draft"
    awaiting_approval = "awaiting_approval"  # confirmed by its requester, over their limit: nothing reserved yet
    confirmed = "confirmed"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"
    rejected = "rejected"  # refused by a supervisor or manager: nothing was ever reserved


class MoveKind(StrEnum):
    opening = "opening"
    reserve = "reserve"
    release = "release"
    transfer = "transfer"
    sale = "sale"


ID_PREFIX: dict[DocType, str] = {DocType.transfer: "TR", DocType.sales_order: "SO"}

# Allowed status changes per document type. Anything else raises InvalidState.
TRANSITIONS: dict[DocType, dict[DocStatus, frozenset[DocStatus]]] = {
    DocType.transfer: {
        DocStatus.draft: frozenset({DocStatus.confirmed, DocStatus.cancelled}),
        DocStatus.awaiting_approval: frozenset({DocStatus.confirmed, DocStatus.rejected, DocStatus.cancelled}),
        DocStatus.confirmed: frozenset({DocStatus.in_progress, DocStatus.cancelled}),
        DocStatus.in_progress: frozenset({DocStatus.done}),
    },
    DocType.sales_order: {
        DocStatus.draft: frozenset({DocStatus.confirmed, DocStatus.cancelled}),
        # over its customer's credit: a manager approves (deducted then) or rejects it
        DocStatus.awaiting_approval: frozenset({DocStatus.confirmed, DocStatus.rejected, DocStatus.cancelled}),
        DocStatus.confirmed: frozenset({DocStatus.done, DocStatus.cancelled}),
    },
}


def can_move(doc_type: DocType, current: DocStatus, target: DocStatus) -> bool:
    return target in TRANSITIONS[doc_type].get(current, frozenset())


class Milestone(StrEnum):
    """Document events that change no status, recorded in `document_events` like one (to_status holds the milestone,
    from_status the status the document had then) by the service that reached it, so whoever follows a document's
    events (the partner push) sees them in the same stream."""

    contract_signed = "contract.signed"  # its purchase-sale contract was signed (assistant/contracts)
