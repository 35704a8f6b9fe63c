"""Slot names the domain declares, and the one way to forget a command."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

COMMAND_SLOTS = ("item", "amount", "qty_base", "destination", "source", "customer", "order_date", "proposal",
                 "choices", "new_customer", "unclear_date", "delivery_date", "delivery_place")


def forget_command() -> list[EventType]:
    return [SlotSet(name, None) for name in COMMAND_SLOTS]
