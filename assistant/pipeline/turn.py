"""One turn: check the input, hand it to the dialogue engine, collect what changed, render the reply."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from pydantic import BaseModel, Field

from assistant.language.detect import detect_language
from assistant.pipeline.errors import TurnError
from assistant.pipeline.events import EventCallback, TurnEvent, TurnEventType, ignore_events
from assistant.pipeline.rasa_client import DialogueState, RasaClient
from assistant.pipeline.scans import RecentScans

log = structlog.get_logger(__name__)

# Slots the forms ask for, as the turn API names what it is waiting for.
_AWAITING_BY_SLOT = {"amount": "quantity", "destination": "destination", "item": "item", "customer": "customer"}


@dataclass(frozen=True)
class TurnContext:
    """Who is speaking: resolved from the bearer token before the turn starts."""

    device: str
    device_kind: str
    site: str
    worker: str | None
    language: str  # the worker's usual language; the text's own language wins


class TurnInput(BaseModel):
    """What came in and what the input stage made of it (the text the NLU saw, OCR lines, codes…)."""

    kind: Literal["text", "audio", "image", "action"] = "text"
    text: str
    transcript: str | None = None
    transcript_raw: str | None = None
    confidence: float | None = None
    ocr_lines: list[dict[str, Any]] = Field(default_factory=list)
    fields: list[dict[str, Any]] = Field(default_factory=list)
    codes: list[dict[str, Any]] = Field(default_factory=list)


class Intent(BaseModel):
    """What the turn did. A yes that executes a read-back command reports that command (its documents are
    this turn's); `utterance` is always what the words themselves were classified as ("affirm")."""

    name: str | None
    confidence: float
    utterance: str | None = None


class Reply(BaseModel):
    text: str
    language: str
    messages: list[dict[str, Any]] = Field(default_factory=list)


class TurnAction(BaseModel):
    """A button the device may show: sending `{"action": id}` as the next turn is the same as saying it."""

    id: Literal["confirm", "cancel"]
    label: str


class TurnResult(BaseModel):
    turn_id: str
    input: TurnInput
    intent: Intent
    entities: list[dict[str, Any]]
    reply: Reply
    awaiting: str | None
    documents: list[dict[str, Any]]
    draft: dict[str, Any] | None = None  # the command read back and waiting for a yes: nothing written yet
    actions: list[TurnAction] = Field(default_factory=list)
    guidance: dict[str, Any] | None = None  # route card, waypoints and map for headsets and tablets
    timings_ms: dict[str, float] = Field(default_factory=dict)


DocumentsForTurn = Callable[[str], Awaitable[list[dict[str, Any]]]]
Guide = Callable[[TurnContext, "TurnResult"], dict[str, Any] | None]
DraftOf = Callable[[object, str], dict[str, Any] | None]  # (proposal slot, language) → draft document
ActionId = Literal["confirm", "cancel"]
# What a tapped button says to the dialogue: an intent, not words (no classifier guessing on a tap).
_ACTION_PAYLOADS: dict[str, str] = {"confirm": "/affirm", "cancel": "/deny"}
_ACTION_LABELS: dict[str, tuple[str, str]] = {"confirm": ("确认", "Confirm"), "cancel": ("取消", "Cancel")}
# While a new customer is offered for registration, the same two buttons answer the offer.
_OFFER_LABELS: dict[str, tuple[str, str]] = {"confirm": ("登记新客户", "Register"), "cancel": ("不是", "No")}


def awaiting_from(state: DialogueState) -> str | None:
    """What the assistant waits for next, derived from the dialogue state (never stored twice)."""
    if state.requested_slot:
        return _AWAITING_BY_SLOT.get(state.requested_slot, state.requested_slot)
    if state.slots.get("choices"):
        return "choice"
    if state.slots.get("proposal"):
        return "confirmation"
    return None


class TurnPipeline:
    def __init__(self, rasa: RasaClient, documents_for_turn: DocumentsForTurn, max_text_chars: int,
                 guide: Guide | None = None, draft_of: DraftOf | None = None) -> None:
        self.scans = RecentScans()
        self._guide = guide
        self._draft_of = draft_of
        self._languages: dict[str, str] = {}  # device → language of its last words, for taps
        self._rasa = rasa
        self._documents_for_turn = documents_for_turn
        self._max_text_chars = max_text_chars

    def check_text(self, text: str, lang: str) -> str:
        """The input stage's rules for text; raises before anything reaches the dialogue."""
        # A leading "/" would make the words an intent payload for Rasa; only buttons send those.
        cleaned = text.strip().lstrip("/").strip()
        if not cleaned:
            raise TurnError("input-empty", "input", 422, "没有收到内容，请再说一遍。",
                            "The message is empty; please say it again.")
        if len(cleaned) > self._max_text_chars:
            raise TurnError(
                "input-too-long", "input", 413,
                f"内容太长(最多{self._max_text_chars}字)，请分开说。",
                f"The message is too long (at most {self._max_text_chars} characters); please split it.",
                details={"max_chars": self._max_text_chars, "chars": len(cleaned)},
            )
        return cleaned

    def reply_only(self, ctx: TurnContext, turn_input: TurnInput, text: str, lang: str) -> TurnResult:
        """A turn the input stage answers itself (nothing to understand): nothing reaches the dialogue."""
        return TurnResult(turn_id=uuid.uuid4().hex, input=turn_input, intent=Intent(name=None, confidence=0.0),
                          entities=[], reply=Reply(text=text, language=lang), awaiting=None, documents=[])

    async def run_action(self, ctx: TurnContext, action: ActionId, on_event: EventCallback = ignore_events
                         ) -> TurnResult:
        """A tapped button (confirm or cancel a draft): the dialogue gets the intent itself, and the reply
        comes in the language the device last spoke."""
        payload = _ACTION_PAYLOADS[action]
        return await self._converse(ctx, self._languages.get(ctx.device, ctx.language), lambda: payload, on_event,
                                    TurnInput(kind="action", text=action), None)

    async def run_text(
        self, ctx: TurnContext, text: str, on_event: EventCallback = ignore_events,
        turn_input: TurnInput | None = None, metadata: dict[str, Any] | None = None,
    ) -> TurnResult:
        """Words typed, transcribed or read: checked by the input stage, answered in their own language."""
        lang = detect_language(text) if text.strip() else ctx.language
        return await self._converse(ctx, lang, lambda: self.check_text(text, lang), on_event, turn_input, metadata)

    async def _converse(
        self, ctx: TurnContext, lang: str, message_of: Callable[[], str], on_event: EventCallback,
        turn_input: TurnInput | None, metadata: dict[str, Any] | None,
    ) -> TurnResult:
        """One exchange with the dialogue engine. `message_of` gives what Rasa receives (checked words, or an
        intent payload); it runs inside the turn, so its TurnError is reported as the turn's."""
        turn_id = uuid.uuid4().hex
        started = time.perf_counter()
        await on_event(TurnEvent(TurnEventType.turn_start, turn_id, {"device": ctx.device}))
        try:
            cleaned = message_of()
            self._languages[ctx.device] = lang
            await on_event(TurnEvent(TurnEventType.input_end, turn_id, {"text": cleaned, "language": lang}))
            await on_event(TurnEvent(TurnEventType.nlu_start, turn_id))
            scans = [*self.scans.take(ctx.device), *(metadata or {}).get("scans", [])]
            metadata = {**(metadata or {}), "scans": scans, "turn_id": turn_id, "device": ctx.device,
                        "device_kind": ctx.device_kind, "site": ctx.site, "worker": ctx.worker, "lang": lang}
            nlu_started = time.perf_counter()
            dialogue = await self._rasa.send(ctx.device, cleaned, metadata)
            nlu_ms = (time.perf_counter() - nlu_started) * 1000
            state = dialogue.state
            await on_event(TurnEvent(TurnEventType.nlu_end, turn_id,
                                     {"intent": state.intent, "confidence": state.confidence}))
            documents = await self._documents_for_turn(turn_id)
        except TurnError as error:
            await on_event(TurnEvent(TurnEventType.error, turn_id, {"code": error.code, "stage": error.stage}))
            log.info("turn-failed", turn_id=turn_id, device=ctx.device, code=error.code)
            raise
        texts = [m["text"] for m in dialogue.messages if m.get("text")]
        result = TurnResult(
            turn_id=turn_id,
            input=turn_input or TurnInput(kind="text", text=cleaned),
            intent=_turn_intent(state, documents),
            entities=[_public_entity(e) for e in state.entities],
            reply=Reply(text="\n".join(texts), language=lang, messages=dialogue.messages),
            awaiting=awaiting_from(state),
            documents=documents,
            draft=self._draft_of(state.slots.get("proposal"), lang) if self._draft_of else None,
            timings_ms={"nlu": round(nlu_ms, 1), **dialogue.extra,
                        "total": round((time.perf_counter() - started) * 1000, 1)},
        )
        result.actions = _actions(result.awaiting, state, lang)
        if self._guide is not None:
            result.guidance = self._guide(ctx, result)
        await on_event(TurnEvent(TurnEventType.reply, turn_id, {"text": result.reply.text}))
        await on_event(TurnEvent(TurnEventType.turn_end, turn_id, {"awaiting": result.awaiting}))
        log.info("turn", turn_id=turn_id, device=ctx.device, intent=state.intent,
                 documents=[d.get("id") for d in documents], ms=result.timings_ms["total"])
        return result


def _actions(awaiting: str | None, state: DialogueState, lang: str) -> list[TurnAction]:
    """The buttons a device may show for what the assistant waits for: a yes/no question has two."""
    if awaiting == "confirmation":
        labels = _ACTION_LABELS
    elif awaiting == "customer" and state.slots.get("new_customer"):
        labels = _OFFER_LABELS
    else:
        return []
    return [TurnAction(id=a, label=labels[a][1 if lang == "en" else 0]) for a in ("confirm", "cancel")]


_COMMAND_BY_DOCUMENT = {"transfer": "transfer_stock", "sales_order": "create_sales_order"}


def _turn_intent(state: DialogueState, documents: list[dict[str, Any]]) -> Intent:
    executed = next((_COMMAND_BY_DOCUMENT[d["type"]] for d in documents if d["type"] in _COMMAND_BY_DOCUMENT), None)
    name = executed if executed and state.intent == "affirm" else state.intent
    return Intent(name=name, confidence=round(state.confidence, 4), utterance=state.intent)


def _public_entity(entity: dict[str, Any]) -> dict[str, Any]:
    keys = ("entity", "value", "start", "end", "confidence_entity", "extractor", "role")
    return {k: entity[k] for k in keys if k in entity}
