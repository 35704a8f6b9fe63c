"""Questions for what a form still lacks; a pending ambiguity is asked as a choice."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FrontlineAction
from actions.checks import choice_question, item_code
from actions.deps import TurnMeta
from assistant.dialogue.messages import say
from assistant.dialogue.quantities import item_name


def _is_sale(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "sales_order_form"


def _pending_choices(tracker: Tracker, item_codes: set[str], want_items: bool) -> list[str] | None:
    choices = tracker.get_slot("choices") or []
    if choices and all(c in item_codes for c in choices) == want_items:
        return list(choices)
    return None


class ActionAskItem(FrontlineAction):
    action_name = "action_ask_item"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        choices = _pending_choices(tracker, {i.code for i in self.deps.world.items}, want_items=True)
        if choices:
            dispatcher.utter_message(text=choice_question(self.deps, "item", choices, meta.lang))
        else:
            dispatcher.utter_message(text=say("ask-item-sale" if _is_sale(tracker) else "ask-item-transfer",
                                              meta.lang))
        return []


class ActionAskAmount(FrontlineAction):
    action_name = "action_ask_amount"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        code = item_code(self.deps, tracker.get_slot("item"))
        name = item_name(self.deps.world.item(code), meta.lang) if code else ""
        dispatcher.utter_message(text=say("ask-amount-sale" if _is_sale(tracker) else "ask-amount-transfer",
                                          meta.lang, item=name))
        return []


class ActionAskDestination(FrontlineAction):
    action_name = "action_ask_destination"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        choices = _pending_choices(tracker, {i.code for i in self.deps.world.items}, want_items=False)
        if choices:
            dispatcher.utter_message(text=choice_question(self.deps, "location", choices, meta.lang))
        else:
            dispatcher.utter_message(text=say("ask-destination", meta.lang))
        return []


class ActionAskCustomer(FrontlineAction):
    action_name = "action_ask_customer"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        dispatcher.utter_message(text=say("ask-customer", meta.lang))
        return []
