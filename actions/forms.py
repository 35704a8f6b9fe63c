"""Form validators: one validate method per slot, each delegating to the shared checks."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.checks import check_amount, check_customer, check_item, resolve_location, single, split_source
from actions.deps import ActionDeps, TurnMeta
from assistant.language.extract import extract_mentions
from assistant.language.names import answered_name, head_name
from assistant.language.resolve import NotFound

_FILLING_INTENTS = {"transfer_stock", "create_sales_order", "inform"}


class _CommandFormValidator(FormValidationAction):
    form: ClassVar[str]

    def __init__(self, deps: ActionDeps) -> None:
        self.deps = deps

    def name(self) -> str:
        return f"validate_{self.form}"

    def _fallback(self, slot: str, entity: str, tracker: Tracker) -> dict[str, Any]:
        """Fill a slot the NLU left empty from the deterministic extractor over the raw words.

        Only for command and answer turns, and only when no entity of that kind was tagged."""
        latest = tracker.latest_message or {}
        if tracker.get_slot(slot) or (latest.get("intent") or {}).get("name") not in _FILLING_INTENTS:
            return {}
        if any(e.get("entity") == entity for e in latest.get("entities") or []):
            return {}
        meta = TurnMeta.of(tracker)
        scanned = meta.scanned({"item": "item", "destination": "location"}.get(slot, ""))
        if scanned:
            return {slot: scanned}
        mentions = extract_mentions(latest.get("text") or "", self.deps.vocabulary, self.deps.resolver,
                                    meta.site or None, self.deps.today())
        found = {"item": mentions.item, "amount": mentions.amount, "destination": mentions.destination,
                 "customer": mentions.customer, "order_date": mentions.date}[slot]
        return {slot: found.text} if found else {}

    async def extract_item(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._fallback("item", "item", tracker)

    async def extract_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._fallback("amount", "amount", tracker)

    async def validate_item(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return check_item(self.deps, single(slot_value), dispatcher, TurnMeta.of(tracker))

    async def validate_amount(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await check_amount(self.deps, single(slot_value), tracker, dispatcher, TurnMeta.of(tracker))


class ValidateTransferForm(_CommandFormValidator):
    form = "transfer_form"

    async def extract_destination(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._fallback("destination", "location", tracker)

    async def validate_destination(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        meta = TurnMeta.of(tracker)
        source_words, destination_words = split_source(tracker)
        scanned = meta.scanned("location")
        if scanned and destination_words and not source_words:
            source_words = scanned  # the shelf label just scanned is where the parts come from
        updates: dict[str, Any] = {}
        if source_words:
            source, _ = resolve_location(self.deps, source_words, dispatcher, meta, None)
            updates["source"] = source
            if source is None:
                return {**updates, "destination": None}
        words = destination_words or (None if source_words else single(slot_value))
        if not words:
            return {**updates, "destination": None}
        code, choices = resolve_location(self.deps, words, dispatcher, meta, tracker.get_slot("choices"))
        return {**updates, "destination": code, "choices": choices}


class ValidateSalesOrderForm(_CommandFormValidator):
    form = "sales_order_form"

    async def extract_customer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Besides known names: the yes or no to registering an offered new customer, and an unknown name at the
        head of a written order or as the whole answer to "客户是谁?" (checked, then offered, by the validator)."""
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot") == "customer"
        offered = tracker.get_slot("new_customer")
        if tracker.get_slot("customer"):
            return {}
        if offered and asked and intent == "affirm":
            return {"customer": offered}
        if offered and asked and intent == "deny":
            # Not that one: an explicit empty customer (the SDK only returns what the validators saw, and a
            # form that fills nothing is rejected, which would cancel the order); the form asks again.
            return {"customer": None}
        known = self._fallback("customer", "customer", tracker)
        if known or any(e.get("entity") == "customer" for e in latest.get("entities") or []):
            return known
        text = latest.get("text") or ""
        if asked and intent in _FILLING_INTENTS | {"nlu_fallback", "out_of_scope", "greet"}:
            name = answered_name(text)
        elif intent == "create_sales_order":
            name = head_name(text)
            if name and not isinstance(self.deps.resolver.item(name), NotFound):
                name = None  # the slip starts with the item
        else:
            name = None
        return {"customer": name} if name else {}

    async def validate_customer(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        value = single(slot_value)
        offered = tracker.get_slot("new_customer")
        if value is None:
            return {"customer": None, "new_customer": None}  # the offered name was declined
        if offered and value == offered:
            return {"customer": value}  # the person said yes to registering this name
        # Customers registered since (by another process) or gone (the demo was reset) count from here on.
        self.deps.master.set_registered(await self.deps.in_thread(self.deps.ledger.registered_customers))
        return check_customer(self.deps, value, dispatcher, TurnMeta.of(tracker))
