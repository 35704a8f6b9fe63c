"""Typed fleet errors for the caller's reply. Routing failures raise `assistant.routing.RoutingError`."""

from __future__ import annotations


class FleetError(Exception):
    """Base class."""


class NotATransfer(FleetError):
    def __init__(self, doc_id: str) -> None:
        super().__init__(f"{doc_id} is not a transfer")
        self.doc_id = doc_id


class NotDispatchable(FleetError):
    def __init__(self, doc_id: str, status: str) -> None:
        super().__init__(f"transfer {doc_id} is {status}: nothing for an AGV to do")
        self.doc_id, self.status = doc_id, status


class CancelRefused(FleetError):
    """The goods are already on the AGV (ledger in_progress) or delivered: cancelling would lose track of them."""

    def __init__(self, doc_id: str, reason: str) -> None:
        super().__init__(f"transfer {doc_id} cannot be cancelled: {reason}")
        self.doc_id, self.reason = doc_id, reason
