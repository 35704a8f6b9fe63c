"""Read a finished form back, then execute it on an explicit yes, or forget it on no/cancel."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import structlog
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FrontlineAction
from actions.checks import item_code
from actions.deps import ActionDeps, TurnMeta
from actions.slots import forget_command
from assistant.catalogue import say
from assistant.dialogue.agv import refusal_reason, why_waiting
from assistant.dialogue.approvals import approval_limit, needs_approval, requested
from assistant.dialogue.errors import credit_note, describe
from assistant.dialogue.proposal import (
    CancelProposal,
    Proposal,
    SaleProposal,
    TransferProposal,
    check,
    confirmation,
    execute,
    keyed,
    low_stock_note,
    parse_proposal,
    read_back,
    request,
    request_sale,
)
from assistant.dialogue.quantities import format_qty, item_name, location_name
from assistant.fleet import CancelRefused, FleetError
from assistant.language.dates import parse_date
from assistant.language.quantities import UnitMismatch, parse_amount, to_base
from assistant.ledger.errors import LedgerError, OverCreditLimit
from assistant.ledger.views import Document
from assistant.routing import RoutingError
from assistant.world.schema import Customer

log = structlog.get_logger(__name__)
RECENT_CANCEL_WINDOW = dt.timedelta(minutes=10)


def _last_form(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def _order_date(deps: ActionDeps, raw: object) -> date | None:
    """Today when no date was given; None when one was given and does not read (never defaulted: the form asks)."""
    return parse_date(str(raw), deps.today()) if raw else deps.today()


def build_proposal(deps: ActionDeps, tracker: Tracker, meta: TurnMeta) -> Proposal | None:
    """The command the finished form describes, in codes and base units; None when a part is missing."""
    code = item_code(deps, tracker.get_slot("item"))
    amount = parse_amount(str(tracker.get_slot("amount") or ""))
    if code is None:
        return None
    if amount is not None:
        try:
            qty = to_base(deps.world, deps.world.item(code), amount).qty_base
        except UnitMismatch:
            return None
    elif tracker.get_slot("qty_base") is not None:  # a read-back being corrected keeps its quantity
        qty = Decimal(str(tracker.get_slot("qty_base")))
    else:
        return None
    scan = next((s for s in meta.scans if s.get("kind") == "item" and s.get("code") == code), {})
    if _last_form(tracker) == "sales_order_form":
        customer = tracker.get_slot("customer")
        if not customer:
            return None
        new = customer == tracker.get_slot("new_customer")  # a name the person agreed to register
        order_date = _order_date(deps, tracker.get_slot("order_date"))
        if order_date is None or tracker.get_slot("unclear_date"):
            return None
        delivery_date = parse_date(str(tracker.get_slot("delivery_date") or ""), deps.today())
        known = None if new else deps.world.customer(customer)
        place = tracker.get_slot("delivery_place") or (known.address if known is not None else None)
        return SaleProposal(site=meta.site, customer=None if new else customer, new_customer=customer if new else None,
                            item=code, qty_base=qty, order_date=order_date,
                            lot=scan.get("lot"), expiry=scan.get("expiry"), delivery_date=delivery_date,
                            delivery_place=place)
    destination = tracker.get_slot("destination")
    if not destination:
        return None
    return TransferProposal(site=meta.site, item=code, qty_base=Decimal(qty), destination=destination,
                            source=tracker.get_slot("source"), lot=scan.get("lot"), expiry=scan.get("expiry"))


async def checked_read_back(deps: ActionDeps, dispatcher: CollectingDispatcher, proposal: Proposal,
                            meta: TurnMeta) -> Proposal | None:
    """Check a command against the stock and read it back; None (and the reason said) when it cannot run."""
    try:
        try:
            await deps.in_thread(check, deps.ledger, proposal)
        except OverCreditLimit as over:  # said with its numbers; confirming sends it to a manager for approval
            dispatcher.utter_message(text=credit_note(deps.world, over, meta.lang))
            await deps.in_thread(check, deps.ledger, proposal, check_credit=False)
    except LedgerError as error:
        dispatcher.utter_message(text=describe(deps.world, error, meta.lang))
        return None
    if isinstance(proposal, TransferProposal) and needs_approval(deps.world, meta.worker, proposal.qty_base):
        dispatcher.utter_message(text=say("approval-will-be-needed", meta.lang,
                                          limit=approval_limit(deps.world, proposal.item, meta.lang)))
    dispatcher.utter_message(text=read_back(deps.world, proposal, meta.lang))
    return proposal


class ActionReadBack(FrontlineAction):
    action_name = "action_read_back"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        proposal = build_proposal(self.deps, tracker, meta)
        if proposal is None:
            dispatcher.utter_message(text=say("fallback", meta.lang))
            return forget_command()
        if await checked_read_back(self.deps, dispatcher, proposal, meta) is None:
            return forget_command()
        # Only the proposal survives: a new command instead of a yes must start from empty slots.
        return [*forget_command(), SlotSet("proposal", keyed(proposal).model_dump(mode="json"))]


class ActionConfirm(FrontlineAction):
    action_name = "action_confirm"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        proposal = parse_proposal(tracker.get_slot("proposal"))
        if proposal is None:
            dispatcher.utter_message(text=say("nothing-to-confirm", meta.lang))
            return []
        if isinstance(proposal, CancelProposal):
            await self._cancel_transfer(dispatcher, proposal.document, meta)
            return forget_command()
        if isinstance(proposal, TransferProposal) and needs_approval(self.deps.world, meta.worker,
                                                                     proposal.qty_base):
            await self._request_approval(dispatcher, proposal, meta)
            return forget_command()
        try:
            document = await self.deps.in_thread(
                execute, self.deps.ledger, proposal, device=meta.device, worker=meta.worker, turn_id=meta.turn_id)
        except OverCreditLimit:  # over the customer's credit (read back so, or spent meanwhile): a manager decides
            if isinstance(proposal, SaleProposal):
                await self._request_sale_approval(dispatcher, proposal, meta)
            return forget_command()
        except LedgerError as error:
            dispatcher.utter_message(text=describe(self.deps.world, error, meta.lang))
            return forget_command()
        if isinstance(proposal, SaleProposal) and proposal.new_customer and document.customer is not None:
            # Known by name from now on: vocabulary, resolver, OCR correction and speech grammars.
            self.deps.master.add_customers([Customer(code=document.customer.code, name=document.customer.name)])
        dispatcher.utter_message(text=confirmation(self.deps.world, proposal, document, meta.lang))
        if isinstance(proposal, TransferProposal):
            await self._send_agv(dispatcher, proposal, document.id, meta)
        note = await self.deps.in_thread(low_stock_note, self.deps.world, self.deps.ledger, proposal, meta.lang)
        if note:
            dispatcher.utter_message(text=note)
        return forget_command()


    async def _request_sale_approval(self, dispatcher: CollectingDispatcher, proposal: SaleProposal,
                                     meta: TurnMeta) -> None:
        world = self.deps.world
        try:
            document = await self.deps.in_thread(
                request_sale, self.deps.ledger, proposal, device=meta.device, worker=meta.worker,
                turn_id=meta.turn_id)
        except LedgerError as error:
            dispatcher.utter_message(text=describe(world, error, meta.lang))
            return
        item = world.item(proposal.item)
        dispatcher.utter_message(text=say(
            "sale-awaiting-approval", meta.lang, doc=document.id,
            customer=document.customer.name if document.customer else "", item=item_name(item, meta.lang),
            amount=format_qty(world, item, proposal.qty_base, meta.lang), total=f"{document.total or 0:,.2f}"))
        if self.deps.notify is not None:
            await self.deps.notify(requested(world, document))

    async def _request_approval(self, dispatcher: CollectingDispatcher, proposal: TransferProposal,
                                meta: TurnMeta) -> None:
        world = self.deps.world
        try:
            document = await self.deps.in_thread(
                request, self.deps.ledger, proposal, device=meta.device, worker=meta.worker, turn_id=meta.turn_id)
        except LedgerError as error:
            dispatcher.utter_message(text=describe(world, error, meta.lang))
            return
        item = world.item(proposal.item)
        dispatcher.utter_message(text=say(
            "transfer-awaiting-approval", meta.lang, doc=document.id, item=item_name(item, meta.lang),
            amount=format_qty(world, item, proposal.qty_base, meta.lang),
            to=location_name(world, proposal.destination, meta.lang),
            limit=approval_limit(world, proposal.item, meta.lang)))
        if self.deps.notify is not None:
            await self.deps.notify(requested(world, document))

    async def _cancel_transfer(self, dispatcher: CollectingDispatcher, doc_id: str, meta: TurnMeta) -> None:
        fleet = self.deps.fleet
        try:
            if fleet is not None and fleet.order(doc_id) is not None:
                await fleet.cancel(doc_id, meta.turn_id)  # stops the AGV, then cancels in the ledger
            else:
                await self.deps.in_thread(self.deps.ledger.cancel_document, doc_id, meta.turn_id)
        except CancelRefused as refused:
            log.info("cancel-refused", document=doc_id, reason=refused.reason)
            dispatcher.utter_message(text=say("cancel-refused", meta.lang, doc=doc_id))
            return
        except LedgerError as error:
            dispatcher.utter_message(text=describe(self.deps.world, error, meta.lang))
            return
        dispatcher.utter_message(text=say("transfer-cancelled", meta.lang, doc=doc_id))

    async def _send_agv(self, dispatcher: CollectingDispatcher, proposal: TransferProposal, doc_id: str,
                        meta: TurnMeta) -> None:
        """A plant with AGVs gets the parts brought: dispatch now, or say that the transfer waits for one."""
        fleet = self.deps.fleet
        if fleet is None or not any(a.site == proposal.site for a in self.deps.world.agvs):
            return
        try:
            order = await fleet.dispatch_transfer(doc_id, meta.turn_id)
        except (FleetError, RoutingError) as error:
            reason = refusal_reason(self.deps.world, error, meta.lang)
            dispatcher.utter_message(text=say("agv-not-sent", meta.lang, reason=reason))
            return
        if order.serial and order.status != "waiting":
            dispatcher.utter_message(text=say("agv-sent", meta.lang, agv=order.serial, metres=f"{order.route_m:.0f}"))
        else:  # why it waits, in the language of this turn
            dispatcher.utter_message(text=why_waiting(order, meta.lang) or say("agv-waiting", meta.lang))


class ActionCancel(FrontlineAction):
    action_name = "action_cancel"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        pending = tracker.get_slot("proposal") or tracker.active_loop or any(
            tracker.get_slot(s) for s in ("item", "amount", "destination", "customer"))
        if not pending:
            recent = await self.deps.in_thread(self._recent_transfer, meta)
            if recent is not None:  # "取消" right after a confirmed transfer: offer to undo it, read back
                line = recent.lines[0]
                item = self.deps.world.item(line.item)
                dispatcher.utter_message(text=say(
                    "ask-cancel-transfer", meta.lang, doc=recent.id, item=item_name(item, meta.lang),
                    amount=format_qty(self.deps.world, item, sum((ln.qty_base for ln in recent.lines), Decimal(0)),
                                      meta.lang),
                    to=location_name(self.deps.world, line.to_location, meta.lang)))
                return [ActiveLoop(None), *forget_command(),
                        SlotSet("proposal", CancelProposal(site=meta.site, document=recent.id).model_dump())]
        dispatcher.utter_message(text=say("cancelled" if pending else "nothing-to-cancel", meta.lang))
        return [ActiveLoop(None), *forget_command()]

    def _recent_transfer(self, meta: TurnMeta) -> Document | None:
        """This device's transfer confirmed within the last few minutes and not yet under way."""
        since = dt.datetime.now(dt.UTC) - RECENT_CANCEL_WINDOW
        return next((d for d in self.deps.ledger.recent_documents(meta.site, 5)
                     if d.type == "transfer" and d.status == "confirmed" and d.device == meta.device
                     and d.created_at >= since), None)


class ActionSwitchCommand(FrontlineAction):
    """A new command said while another was being filled in: the old one is dropped quietly (nothing was written
    and the new one's read-back says what will happen), and the new one starts from empty slots."""

    action_name = "action_switch_command"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        return [ActiveLoop(None), *forget_command()]
