"""One error type for every stage of a turn: a machine code from the catalogue and the values its text needs.

The text is rendered where the error is shown (the API, a socket), in the reader's language; so is the HTTP
status, which only the web edge knows about."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from assistant.state import DeviceBusy, StateUnavailable

Stage = Literal["input", "stt", "ocr", "nlu", "render"]
Value = str | int | float


@dataclass
class TurnError(Exception):
    code: str  # a catalogue code: "input-empty", "audio-corrupt", "nlu-unavailable", …
    stage: Stage
    values: dict[str, Value] = field(default_factory=dict)  # the text's placeholders, also shown as details
    turn_id: str | None = None  # set once the turn had begun (errors before it get an id when recorded)

    def __str__(self) -> str:
        return f"{self.stage}/{self.code} {self.values or ''}".rstrip()


@contextmanager
def state_errors() -> Iterator[None]:
    """The device state (shared, in Redis) did not answer, or a turn waited too long for its device's lock: said as
    the turn's error, in words, with nothing written."""
    try:
        yield
    except StateUnavailable as error:
        raise TurnError("state-unavailable", "input") from error
    except DeviceBusy as error:
        raise TurnError("device-busy", "input", {"waited_s": max(1, round(error.waited_s))}) from error
