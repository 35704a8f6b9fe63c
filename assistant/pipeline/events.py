"""Typed events a turn emits through one callback, in stage order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class TurnEventType(StrEnum):
    turn_start = "turn-start"
    input_end = "input-end"
    nlu_start = "nlu-start"
    nlu_end = "nlu-end"
    reply = "reply"
    turn_end = "turn-end"
    error = "error"


@dataclass(frozen=True)
class TurnEvent:
    type: TurnEventType
    turn_id: str
    data: dict[str, Any] = field(default_factory=dict)


EventCallback = Callable[[TurnEvent], Awaitable[None]]


async def ignore_events(_event: TurnEvent) -> None:
    return None
