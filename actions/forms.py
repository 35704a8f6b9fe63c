"""Form validators: one validate method per slot, each delegating to the shared checks."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.checks import check_amount, check_customer, check_item, resolve_location, single, split_source
from actions.deps import ActionDeps, TurnMeta
from assistant.language.extract import extract_mentions

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
        return self._fallback("customer", "customer", tracker)

    async def validate_customer(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return check_customer(self.deps, single(slot_value), dispatcher, TurnMeta.of(tracker))
