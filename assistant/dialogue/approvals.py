"""Transfers that wait for approval: when one must wait, who decides, and what everybody is told.

A sale over its customer's available credit (limit less open receivables) waits the same way, nothing deducted,
for a manager's (or supervisor's) yes; approving deducts it against today's stock.

A transfer bigger than the world's limit (`policies.approval_above_per_line`), confirmed by someone who may not
approve, is stored waiting (nothing reserved) and the site's supervisors and managers are told. One of them
approves it (planned again and reserved against today's stock, then fetched by an AGV where the site has them) or
rejects it; the requester is told either way. The same decision serves the API and the spoken "批准TR-000123"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import structlog

from assistant.access import Refusal, check
from assistant.catalogue import say
from assistant.dialogue.progress import supervisors_devices
from assistant.dialogue.quantities import format_qty, item_name, location_name
from assistant.fleet import FleetError, FleetService
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocType
from assistant.ledger.views import Document
from assistant.routing import RoutingError
from assistant.world.schema import Permission, World

log = structlog.get_logger(__name__)

NoticeKind = Literal["approval-requested", "approval-approved", "approval-rejected"]


@dataclass(frozen=True)
class ApprovalNotice:
    """Whom to tell about a transfer's approval, and the document itself (its words are rendered per reader)."""

    kind: NoticeKind
    document: Document
    devices: tuple[str, ...]
    by: str | None = None  # the worker who decided

    def text(self, world: World, lang: str) -> str:
        doc = self.document
        if doc.type == DocType.sales_order:
            return say(f"sale-{self.kind}", lang, doc=doc.id, customer=doc.customer.name if doc.customer else "",
                       total=f"{doc.total or 0:,.2f}", by=_worker_name(world, self.by))
        line = doc.lines[0]
        item = world.item(line.item)
        amount = format_qty(world, item, sum((ln.qty_base for ln in doc.lines), Decimal(0)), lang)
        requester = _worker_name(world, doc.worker)
        return say(self.kind, lang, doc=doc.id, item=item_name(item, lang), amount=amount,
                   to=location_name(world, line.to_location, lang), worker=requester,
                   by=_worker_name(world, self.by))


Notify = Callable[[ApprovalNotice], Awaitable[None]]


def _worker_name(world: World, code: str | None) -> str:
    return next((w.name for w in world.workers if w.code == code), code or "")


def needs_approval(world: World, worker: str | None, qty_base: Decimal) -> bool:
    """A transfer line over the limit, from someone who may not approve it himself."""
    limit = world.policies.approval_above_per_line
    if limit is None or qty_base <= limit:
        return False
    return check(world, worker, Permission.approve) is not None


def approval_limit(world: World, item: str, lang: str) -> str:
    """The limit in the item's own units, for the words said to the requester."""
    limit = world.policies.approval_above_per_line
    return format_qty(world, world.item(item), Decimal(limit or 0), lang)


def requested(world: World, document: Document) -> ApprovalNotice:
    return ApprovalNotice("approval-requested", document, supervisors_devices(world, document.site))


class NotYours(Exception):
    """The worker may not decide on this document (role, or another site's): `refusal` says why."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


@dataclass(frozen=True)
class Approvals:
    """Decide on a waiting transfer. Blocking ledger work runs in worker threads (the fleet call is async)."""

    world: World
    ledger: Ledger
    fleet: FleetService | None
    notify: Notify | None

    async def decide(self, doc_id: str, *, worker: str | None, approve: bool, turn_id: str | None) -> Document:
        """Approve or reject; raises NotYours, DocumentNotFound (also for another site's document, which this
        worker may not know exists) or a LedgerError (not waiting, no longer in stock)."""
        import asyncio

        person = next((w for w in self.world.workers if w.code == worker), None)
        refusal = check(self.world, worker, Permission.approve)
        if refusal is not None or person is None:
            raise NotYours(refusal or Refusal("no-worker", Permission.approve))
        document = await asyncio.to_thread(self.ledger.document, doc_id)
        if document.site != person.site:
            raise DocumentNotFound(doc_id)
        sale = document.type == DocType.sales_order
        if approve and sale:
            decided = await asyncio.to_thread(self.ledger.approve_sales_order, doc_id, by=person.code,
                                              turn_id=turn_id)
        elif approve:
            decided = await asyncio.to_thread(self.ledger.approve_transfer, doc_id, by=person.code, turn_id=turn_id)
            await self._fetch(decided, turn_id)
        elif sale:
            decided = await asyncio.to_thread(self.ledger.reject_sales_order, doc_id, by=person.code,
                                              turn_id=turn_id)
        else:
            decided = await asyncio.to_thread(self.ledger.reject_transfer, doc_id, by=person.code, turn_id=turn_id)
        if self.notify is not None and decided.device:
            kind: NoticeKind = "approval-approved" if approve else "approval-rejected"
            await self.notify(ApprovalNotice(kind, decided, (decided.device,), by=person.code))
        return decided

    async def _fetch(self, document: Document, turn_id: str | None) -> None:
        """An approved transfer at a site with AGVs is fetched like any confirmed one."""
        if self.fleet is None or not any(a.site == document.site for a in self.world.agvs):
            return
        try:
            await self.fleet.dispatch_transfer(document.id, turn_id)
        except (FleetError, RoutingError) as error:  # the transfer stands; it is moved by hand
            log.info("approval.no_agv", document=document.id, reason=type(error).__name__)
