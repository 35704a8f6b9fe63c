"""A correction of the command read back ("不对，是6件", "改到总装线B区", "客户改成李四"): the same checks as the
form's, then the read-back again, corrected. What cannot be taken is said, and the earlier read-back still waits."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FrontlineAction, latest_entity
from actions.checks import check_amount, check_customer, check_item, check_order_date, choice_question, resolve_location
from actions.commands import build_proposal, checked_read_back
from actions.deps import TurnMeta
from assistant.catalogue import say
from assistant.dialogue.proposal import (
    CancelProposal,
    Proposal,
    SaleProposal,
    TransferProposal,
    keyed,
    parse_proposal,
)


def _slots_of(proposal: Proposal) -> dict[str, Any]:
    """The form slots a read-back was built from (the quantity in base units)."""
    slots: dict[str, Any] = {"item": proposal.item, "amount": None, "qty_base": float(proposal.qty_base)}
    if isinstance(proposal, TransferProposal):
        slots |= {"destination": proposal.destination, "source": proposal.source}
    elif isinstance(proposal, SaleProposal):
        slots |= {"customer": proposal.customer or proposal.new_customer, "order_date": proposal.order_date.isoformat(),
                  "new_customer": proposal.new_customer}
    return slots


class ActionCorrect(FrontlineAction):
    action_name = "action_correct"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        proposal = parse_proposal(tracker.get_slot("proposal"))
        if proposal is None or isinstance(proposal, CancelProposal):
            dispatcher.utter_message(text=say("nothing-to-correct", meta.lang))
            return []
        draft = tracker.copy()
        draft.slots.update(_slots_of(proposal))
        changed = await self._apply(draft, tracker, dispatcher, meta, proposal)
        if changed is None:  # the problem was said; the earlier read-back still waits for its answer
            dispatcher.utter_message(text=say("correction-kept", meta.lang))
            return []
        if not changed:
            dispatcher.utter_message(text=say("correction-what", meta.lang))
            return []
        corrected = build_proposal(self.deps, draft, meta)
        if corrected is None or await checked_read_back(self.deps, dispatcher, corrected, meta) is None:
            dispatcher.utter_message(text=say("correction-kept", meta.lang))
            return []
        return [SlotSet("proposal", keyed(corrected).model_dump(mode="json"))]

    async def _apply(self, draft: Tracker, tracker: Tracker, dispatcher: CollectingDispatcher, meta: TurnMeta,
                     proposal: Proposal) -> bool | None:
        """Put the message's corrections into `draft`'s slots, each checked as the form would; None when one
        cannot be taken, else whether anything changed."""
        deps, changed = self.deps, False
        item = latest_entity(tracker, "item")
        if item is not None:
            checked = check_item(deps, item, dispatcher, meta)
            if not checked.get("item"):
                if checked.get("choices"):
                    dispatcher.utter_message(text=choice_question(deps, "item", checked["choices"], meta.lang))
                return None
            draft.slots["item"], changed = checked["item"], True
        amount = latest_entity(tracker, "amount")
        if amount is not None:
            checked = await check_amount(deps, amount, draft, dispatcher, meta)
            if checked.get("qty_base") is None:
                return None
            draft.slots |= {"amount": amount, "qty_base": checked["qty_base"]}
            changed = True
        place = latest_entity(tracker, "location")
        if place is not None and isinstance(proposal, TransferProposal):
            code, choices = resolve_location(deps, place, dispatcher, meta, None)
            if code is None:
                if choices:
                    dispatcher.utter_message(text=choice_question(deps, "location", choices, meta.lang))
                return None
            draft.slots["destination"], changed = code, True
        customer = latest_entity(tracker, "customer")
        if customer is not None and isinstance(proposal, SaleProposal):
            checked = check_customer(deps, customer, dispatcher, meta)
            if not checked.get("customer"):
                return None
            draft.slots |= {"customer": checked["customer"], "new_customer": None}
            changed = True
        written = latest_entity(tracker, "date")
        if written is not None and isinstance(proposal, SaleProposal):
            checked = check_order_date(deps, written, None)
            if not checked.get("order_date"):
                dispatcher.utter_message(text=say("ask-date", meta.lang, text=written))
                return None
            draft.slots["order_date"], changed = checked["order_date"], True
        return changed
