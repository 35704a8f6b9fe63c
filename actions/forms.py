"""Form validators: one validate method per slot, each delegating to the shared checks."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.checks import (
    check_amount,
    check_customer,
    check_item,
    check_order_date,
    resolve_location,
    single,
    split_source,
)
from actions.deps import ActionDeps, TurnMeta
from assistant.language.dates import parse_date
from assistant.language.names import answered_name
from assistant.language.specs import answered_spec

_FILLING_INTENTS = {"transfer_stock", "create_sales_order", "inform"}


class _CommandFormValidator(FormValidationAction):
    form: ClassVar[str]

    def __init__(self, deps: ActionDeps) -> None:
        self.deps = deps

    def name(self) -> str:
        return f"validate_{self.form}"

    def _scanned(self, slot: str, kind: str, tracker: Tracker) -> dict[str, Any]:
        """A slot the words leave empty, filled from a label scanned just before ("这个调拨5件到总装线A区").

        The words themselves were read once by the app (the message's entities fill the slots through the
        domain's mappings); this only adds what the device scanned, for command and answer turns."""
        latest = tracker.latest_message or {}
        if tracker.get_slot(slot) or (latest.get("intent") or {}).get("name") not in _FILLING_INTENTS:
            return {}
        if any(e.get("entity") == kind for e in latest.get("entities") or []):
            return {}
        scanned = TurnMeta.of(tracker).scanned(kind)
        return {slot: scanned} if scanned else {}

    async def extract_item(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._size_answer(tracker) or self._scanned("item", "item", tracker)

    def _size_answer(self, tracker: Tracker) -> dict[str, Any]:
        """The answer to "螺纹钢HRB400 Φ12、Φ16还是Φ20?" given as a size alone ("16", "十六", "Φ16", "要16的"): the
        one offered item of that size. Anything else is left to the message's entities."""
        choices = tracker.get_slot("choices") or []
        latest = tracker.latest_message or {}
        if tracker.get_slot("requested_slot") != "item" or not choices:
            return {}
        if any(e.get("entity") == "item" for e in latest.get("entities") or []):
            return {}
        size = answered_spec(latest.get("text") or "")
        if size is None:
            return {}
        code = self.deps.resolver.item_of_size(tuple(str(c) for c in choices), size)
        return {"item": code} if code else {}

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
        return self._scanned("destination", "location", tracker)

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

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        """The order date is asked for only when one was written or said and could not be read (then right after
        the customer); a sale that names no date is today's."""
        if tracker.get_slot("order_date") is None and not tracker.get_slot("unclear_date"):
            return domain_slots
        at = domain_slots.index("customer") + 1 if "customer" in domain_slots else 0
        return [*domain_slots[:at], "order_date", *domain_slots[at:]]

    async def extract_order_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A yes or no to "是2025年7月9日吗?": yes takes that reading, no drops it (the next one is offered, or
        the date asked for). A date said in the answer fills the slot through the domain's mapping."""
        unclear = tracker.get_slot("unclear_date") or []
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        written = tracker.get_slot("order_date")
        if written is not None and parse_date(str(written), self.deps.today()) is None:
            # A date as written that reads as none: Rasa passes only the form's own slots to validation, so it is
            # handed on here, to be checked (and asked for) by validate_order_date.
            return {"order_date": written}
        if tracker.get_slot("requested_slot") != "order_date" or not unclear:
            return {}
        if any(e.get("entity") == "date" for e in latest.get("entities") or []):
            return {}
        if intent == "affirm" and len(unclear) > 1:
            return {"order_date": unclear[1]}
        if intent == "deny":
            # An explicit empty date keeps the form going (a form that fills nothing is rejected, which would
            # cancel the order); its validation drops the reading declined (only a validator's output reaches
            # the other slots: the SDK keeps an extracted slot only when the form asks for it).
            return {"order_date": None}
        return {}

    async def validate_order_date(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return check_order_date(self.deps, single(slot_value), tracker.get_slot("unclear_date"))

    async def extract_customer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Besides the customer the message names (an entity): the yes or no to registering an offered new
        customer, and an unknown name given as the whole answer to "客户是谁?" (checked, then offered, by the
        validator)."""
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot") == "customer"
        offered = tracker.get_slot("new_customer")
        if tracker.get_slot("customer"):
            return {}
        own = TurnMeta.of(tracker).customer
        if own is not None and not any(e.get("entity") == "customer" for e in latest.get("entities") or []):
            return {"customer": own}  # a customer's contact orders for their own customer: never asked
        if offered and asked and intent == "affirm":
            return {"customer": offered}
        if offered and asked and intent == "deny":
            # Not that one: an explicit empty customer (the SDK only returns what the validators saw, and a
            # form that fills nothing is rejected, which would cancel the order); the form asks again.
            return {"customer": None}
        if any(e.get("entity") == "customer" for e in latest.get("entities") or []):
            return {}
        if asked and intent in _FILLING_INTENTS | {"nlu_fallback", "out_of_scope", "greet"}:
            name = answered_name(latest.get("text") or "")
            return {"customer": name} if name else {}
        return {}

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
