"""What a turn produced, typed: the input as understood, the dialogue's answer, and what changed. Domain values
only (ledger documents, AGV orders, the pending proposal, the route); the edge renders them for a device."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.dialogue.proposal import Proposal
from assistant.fleet import AgvOrderView
from assistant.language.codes import ScannedCode
from assistant.language.fields import FieldReading
from assistant.language.reading import Entity
from assistant.ledger.views import Document
from assistant.pipeline.dialogue import BotMessage
from assistant.routing import Guidance
from vision import OcrLine

InputKind = Literal["text", "audio", "image", "action"]
Awaiting = Literal["quantity", "destination", "item", "customer", "date", "choice", "confirmation"]
ActionId = Literal["confirm", "cancel"]
# How a turn ended: answered by the dialogue, refused by the policies, or asked again (nothing clear heard).
Outcome = Literal["ok", "refused", "not-heard"]
# Which two buttons a reply offers: confirm/cancel a read-back, or register/decline an unknown customer.
Buttons = Literal["confirm", "register"]


@dataclass(frozen=True)
class TurnContext:
    """Who is speaking: resolved from the bearer token before the turn starts."""

    device: str
    device_kind: str
    site: str
    worker: str | None
    language: str  # the worker's usual language; the text's own language wins
    # A customer's contact writing in a chat (then `worker` is None): orders for this customer only, at its site.
    customer: str | None = None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TurnInput(_Frozen):
    """What came in and what the input stage made of it: the text the dialogue saw, the transcript, the OCR
    lines and codes, and the fields of the one reading of the text."""

    kind: InputKind = "text"
    text: str
    transcript: str | None = None
    transcript_raw: str | None = None
    confidence: float | None = None
    ocr_lines: tuple[OcrLine, ...] = ()
    fields: tuple[FieldReading, ...] = ()
    codes: tuple[ScannedCode, ...] = ()


class Intent(_Frozen):
    """What the turn did. A yes that executes a read-back command reports that command (its documents are
    this turn's); `utterance` is always what the words themselves were classified as ("affirm")."""

    name: str | None
    confidence: float
    utterance: str | None = None


class Reply(_Frozen):
    text: str
    language: str
    messages: tuple[BotMessage, ...] = ()


class TurnResult(_Frozen):
    turn_id: str
    input: TurnInput
    intent: Intent
    entities: tuple[Entity, ...]
    reply: Reply
    awaiting: Awaiting | None
    documents: tuple[Document, ...] = ()  # ledger documents this turn created or changed
    agv_orders: tuple[AgvOrderView, ...] = ()  # the AGV orders of those transfers
    draft: Proposal | None = None  # the command read back and waiting for a yes: nothing written yet
    buttons: Buttons | None = None
    guidance: Guidance | None = None  # the route after a confirmed transfer, for headsets and tablets
    timings_ms: dict[str, float] = {}
    outcome: Outcome = "ok"
