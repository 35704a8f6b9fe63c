"""What a person is told about an AGV order: why a transfer waits, and why no AGV could take it.

The fleet stores a reason code and data (the vehicle, whether the goods are on it, the vehicle's own error
description); the words are rendered here from the catalogue, in the reader's language, when shown."""

from __future__ import annotations

from assistant.catalogue import say
from assistant.dialogue.quantities import location_name
from assistant.fleet import AgvOrderView, CancelRefused, FleetError, NotATransfer, NotDispatchable, WaitReason
from assistant.routing import LocationNotOnMap, NoSiteMap, RoutingError, UnknownNode, Unreachable
from assistant.world.schema import World


def waiting_text(reason: WaitReason, doc_id: str, serial: str | None, picked: bool, detail: str | None,
                 lang: str) -> str:
    """暂无可用小车，调拨单TR-000001正在排队等待。 / AGV-01 went offline; … The goods are still at the source."""
    # Where the goods are is what the reader must act on: on the vehicle, a supervisor has to go and look.
    where = say("fleet-goods-on-agv", lang, serial=serial) if picked else say("fleet-goods-at-source", lang)
    extra = say("fleet-error-detail", lang, detail=detail) if detail else ""
    # Each reason's entry uses the values it needs; `str.format` ignores the others.
    return say(f"fleet-waiting-{reason}", lang, doc=doc_id, serial=serial or "", where=where, detail=extra)


def why_waiting(order: AgvOrderView, lang: str) -> str | None:
    """The waiting text of an AGV order; None when it does not wait (under way, done or cancelled)."""
    if order.reason is None:
        return None
    return waiting_text(order.reason, order.doc_id, order.serial, order.picked, order.detail, lang)


def refusal_reason(world: World, error: FleetError | RoutingError, lang: str) -> str:
    """Why no AGV can take a confirmed transfer, in words (never an exception's class name)."""
    if isinstance(error, NoSiteMap):
        return say("agv-reason-no-map", lang)
    if isinstance(error, LocationNotOnMap):
        return say("agv-reason-not-on-map", lang, location=location_name(world, error.location, lang))
    if isinstance(error, UnknownNode):
        return say("agv-reason-unknown-node", lang, node=error.node)
    if isinstance(error, Unreachable):
        return say("agv-reason-unreachable", lang)
    if isinstance(error, NotATransfer):
        return say("agv-reason-not-a-transfer", lang, doc=error.doc_id)
    if isinstance(error, NotDispatchable | CancelRefused):
        return say("agv-reason-not-dispatchable", lang)
    return say("agv-reason-other", lang)  # a new subclass not yet given words: still a sentence, not a name
