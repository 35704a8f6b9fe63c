"""What a person is told about an AGV order: why a transfer waits.

The fleet stores a reason code and data (the vehicle, whether the goods are on it, the vehicle's own error
description); the words are rendered here from the catalogue, in the reader's language, when shown."""

from __future__ import annotations

from assistant.catalogue import say
from assistant.fleet import AgvOrderView, WaitReason


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

