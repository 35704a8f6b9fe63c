"""Questions for what a form still lacks; a pending ambiguity is asked as a choice."""

from __future__ import annotations

from abc import abstractmethod
from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FrontlineAction
from actions.checks import choice_question, item_code
from actions.deps import TurnMeta
from assistant.catalogue import join_choices, join_list, say, say_date
from assistant.dialogue.quantities import item_name


def _is_sale(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "sales_order_form"


def _pending_choices(tracker: Tracker, item_codes: set[str], want_items: bool) -> list[str] | None:
    choices = tracker.get_slot("choices") or []
    if choices and all(c in item_codes for c in choices) == want_items:
        return list(choices)
    return None


class _AskWithChoices(FrontlineAction):
    """Ask for a slot; when the last answer named several things of its kind, ask which one instead."""

    kind: str  # "item" or "location": which pending choices belong to this slot

    @abstractmethod
    def question(self, tracker: Tracker, lang: str) -> str:
        """What to ask when nothing is pending."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        choices = _pending_choices(tracker, {i.code for i in self.deps.world.items}, want_items=self.kind == "item")
        text = choice_question(self.deps, self.kind, choices, meta.lang) if choices else self.question(tracker,
                                                                                                        meta.lang)
        dispatcher.utter_message(text=text)
        return []


class ActionAskItem(_AskWithChoices):
    action_name, kind = "action_ask_item", "item"

    def question(self, tracker: Tracker, lang: str) -> str:
        return say("ask-item-sale" if _is_sale(tracker) else "ask-item-transfer", lang)


class ActionAskAmount(FrontlineAction):
    action_name = "action_ask_amount"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        code = item_code(self.deps, tracker.get_slot("item"))
        name = item_name(self.deps.world.item(code), meta.lang) if code else ""
        dispatcher.utter_message(text=say("ask-amount-sale" if _is_sale(tracker) else "ask-amount-transfer",
                                          meta.lang, item=name))
        return []


class ActionAskDestination(_AskWithChoices):
    action_name, kind = "action_ask_destination", "location"

    def question(self, tracker: Tracker, lang: str) -> str:
        return say("ask-destination", lang)


class ActionAskCustomer(FrontlineAction):
    """Who the customer is; or, for a name no customer has, whether to register it (with the closest names)."""

    action_name = "action_ask_customer"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        offered = tracker.get_slot("new_customer")
        if not offered:
            dispatcher.utter_message(text=say("ask-customer", meta.lang))
            return []
        close = [c.name for code in self.deps.resolver.similar("customer", offered)
                 for c in self.deps.world.customers if c.code == code]
        if close:
            dispatcher.utter_message(text=say("offer-new-customer-or", meta.lang, text=offered,
                                              suggestions=join_choices(close, meta.lang)))
        else:
            dispatcher.utter_message(text=say("offer-new-customer", meta.lang, text=offered))
        return []


class ActionAskOrderDate(FrontlineAction):
    """A written date that read as none: the likeliest reading offered as a yes/no, the others named; without
    readings, the date asked for."""

    action_name = "action_ask_order_date"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        written, *readings = tracker.get_slot("unclear_date") or [""]
        dates = [say_date(date.fromisoformat(r), meta.lang) for r in readings]
        if not dates:
            dispatcher.utter_message(text=say("ask-date", meta.lang, text=written))
        elif len(dates) == 1:
            dispatcher.utter_message(text=say("ask-date-unclear", meta.lang, text=written, date=dates[0]))
        else:
            dispatcher.utter_message(text=say("ask-date-unclear-or", meta.lang, text=written, date=dates[0],
                                              others=join_list(dates[1:], meta.lang)))
        return []
