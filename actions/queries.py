"""Answers that change nothing: stock on hand, small talk, and the AGV request until the fleet link exists."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FrontlineAction, latest_entity
from actions.checks import DEICTIC, check_item, resolve_location
from actions.deps import TurnMeta
from assistant.catalogue import say
from assistant.dialogue.quantities import format_qty, item_name
from assistant.ledger.views import LocationStock


class ActionCheckStock(FrontlineAction):
    action_name = "action_check_stock"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        # Only this message's words: a side question must not read or disturb a form's slots.
        words = latest_entity(tracker, "item")
        if meta.scanned("item") and (not words or words.strip().lower() in DEICTIC):
            words = meta.scanned("item")
        if not words:
            dispatcher.utter_message(text=say("ask-item-stock", meta.lang))
            return []
        checked = check_item(self.deps, words, dispatcher, meta)
        code = checked.get("item")
        if not code:
            if checked.get("choices"):
                dispatcher.utter_message(text=say("ask-item-stock", meta.lang))
            return []
        lines: list[LocationStock] = await self.deps.in_thread(self.deps.ledger.stock, meta.site, code)
        item = self.deps.world.item(code)
        name = item_name(item, meta.lang)
        held = [line for line in lines if line.on_hand > 0]
        if not held:
            site = self.deps.world.site(meta.site)
            dispatcher.utter_message(text=say("stock-none", meta.lang, item=name,
                                              site=site.name_en if meta.lang == "en" else site.name))
            return []
        parts = [say("stock-line", meta.lang, location=line.location_name if meta.lang != "en" else line.location,
                     available=format_qty(self.deps.world, item, line.available, meta.lang)) for line in held]
        total = sum((line.available for line in held), start=held[0].available * 0)
        dispatcher.utter_message(
            text=say("stock-summary", meta.lang, item=name, lines="，".join(parts) if meta.lang != "en"
                     else "; ".join(parts), total=format_qty(self.deps.world, item, total, meta.lang)),
            json_message={"stock": [line.model_dump(mode="json") for line in held], "item": code})
        return []


class ActionDispatchAgv(FrontlineAction):
    action_name = "action_dispatch_agv"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        words = latest_entity(tracker, "location")
        if not words:
            dispatcher.utter_message(text=say("ask-agv-destination", meta.lang))
            return []
        code, _choices = resolve_location(self.deps, words, dispatcher, meta, None)
        if code:
            location = self.deps.world.location(code)[1]
            dispatcher.utter_message(text=say("agv-not-ready", meta.lang,
                                              to=f"{location.name}({code})" if meta.lang != "en" else code))
        return []


class _Say(FrontlineAction):
    message: str

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        dispatcher.utter_message(text=say(self.message, meta.lang))
        return []


class ActionGreet(_Say):
    action_name, message = "action_greet", "greet"


class ActionHelp(_Say):
    action_name, message = "action_help", "help"


class ActionOutOfScope(_Say):
    action_name, message = "action_out_of_scope", "out-of-scope"


class ActionFallback(_Say):
    action_name, message = "action_fallback", "fallback"
