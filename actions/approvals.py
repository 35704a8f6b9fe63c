"""A supervisor's or manager's "批准TR-000123" / "驳回TR-000123": decide on a transfer waiting for approval."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FrontlineAction, latest_entity
from actions.deps import TurnMeta
from assistant.catalogue import say
from assistant.dialogue.approvals import NotYours
from assistant.dialogue.errors import describe
from assistant.dialogue.quantities import format_qty, item_name, location_name
from assistant.dialogue.refusals import refusal_text
from assistant.ledger.errors import LedgerError
from assistant.ledger.states import DocType
from assistant.ledger.views import Document


class _DecideTransfer(FrontlineAction):
    approve: ClassVar[bool]

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        doc_id = latest_entity(tracker, "document")
        if doc_id is None:  # "批准" alone: which one is never guessed
            dispatcher.utter_message(text=say("ask-document", meta.lang))
            return []
        world = self.deps.world
        try:
            decided = await self.deps.approvals.decide(doc_id, worker=meta.worker, approve=self.approve,
                                                       turn_id=meta.turn_id)
        except NotYours as refused:
            device = world.device(meta.device)
            kind = device.kind.value if device is not None else "chat"
            dispatcher.utter_message(text=refusal_text(world, refused.refusal, kind, meta.lang))
            return []
        except LedgerError as error:
            dispatcher.utter_message(text=describe(world, error, meta.lang))
            return []
        dispatcher.utter_message(text=self._said(decided, meta.lang))
        return []

    def _said(self, document: Document, lang: str) -> str:
        world = self.deps.world
        if document.type == DocType.sales_order:
            return say("sale-approved-said" if self.approve else "sale-rejected-said", lang, doc=document.id,
                       customer=document.customer.name if document.customer else "",
                       total=f"{document.total or 0:,.2f}")
        line = document.lines[0]
        item = world.item(line.item)
        amount = format_qty(world, item, sum((ln.qty_base for ln in document.lines), Decimal(0)), lang)
        return say("approved-said" if self.approve else "rejected-said", lang, doc=document.id,
                   item=item_name(item, lang), amount=amount, to=location_name(world, line.to_location, lang))


class ActionApproveTransfer(_DecideTransfer):
    action_name = "action_approve_transfer"
    approve = True


class ActionRejectTransfer(_DecideTransfer):
    action_name = "action_reject_transfer"
    approve = False
