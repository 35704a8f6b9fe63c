"""One turn: check the input, read it once, hand it to the dialogue engine, collect what changed.

Turns of one device are taken one at a time, in arrival order (a second message waits for the first to finish,
it is never dropped): the dialogue's answer, documents and buttons of a turn are always that turn's own. What the
pipeline remembers of a device between turns (its language, what it waits for, its scans) and the per-device lock
are the device state's (`assistant.state`): in this process by default, shared by every app process when scaled."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import get_args

import structlog
from pydantic import JsonValue

from assistant.catalogue import say
from assistant.dialogue.proposal import CancelProposal, draft_id, parse_proposal
from assistant.fleet import AgvOrderView
from assistant.language.detect import detect_language
from assistant.language.fields import CharConfidence
from assistant.language.reading import MessageReader, Reading
from assistant.language.scope import out_of_scope
from assistant.ledger.views import Document
from assistant.pipeline.dialogue import DialogueClient, DialogueState, Exchange, Parse
from assistant.pipeline.errors import TurnError, state_errors
from assistant.pipeline.events import EventCallback, TurnEvent, TurnEventType, ignore_events
from assistant.pipeline.results import (
    ActionId,
    Awaiting,
    Buttons,
    Intent,
    Reply,
    TurnContext,
    TurnInput,
    TurnResult,
)
from assistant.pipeline.scans import RecentScans, Scan
from assistant.routing import Guidance
from assistant.state import DeviceState, MemoryState

log = structlog.get_logger(__name__)

# Slots the forms ask for, as the turn API names what it is waiting for.
_AWAITING_BY_SLOT: dict[str, Awaiting] = {"amount": "quantity", "destination": "destination", "item": "item",
                                          "customer": "customer", "order_date": "date"}
# What a tapped button says to the dialogue: an intent, not words (no classifier guessing on a tap).
_ACTION_INTENTS: dict[ActionId, str] = {"confirm": "affirm", "cancel": "deny"}
_COMMAND_BY_DOCUMENT = {"transfer": "transfer_stock", "sales_order": "create_sales_order"}
# What answers a pending read-back: a yes, a no, or calling it off.
_ANSWERS = frozenset({"affirm", "deny", "cancel"})
_AWAITINGS: frozenset[str] = frozenset(get_args(Awaiting))
_BUTTONS: frozenset[str] = frozenset(get_args(Buttons))
_LANGUAGE, _AFTER = "language", "after"  # the device state's names: its last words' language, its last turn's wait

Collected = tuple[tuple[Document, ...], tuple[AgvOrderView, ...]]
Collect = Callable[[str], Awaitable[Collected]]  # turn id → the documents it touched and their AGV orders
# (who, documents, language, where the device last scanned a location)
Guide = Callable[[TurnContext, Sequence[Document], str, str | None], Guidance | None]
# (who, the intent, the reading, language) → why the command may not run, in words; None: it may.
Guard = Callable[[TurnContext, str | None, Reading, str], str | None]


def awaiting_from(state: DialogueState) -> Awaiting | None:
    """What the assistant waits for next, derived from the dialogue state (never stored twice)."""
    if state.requested_slot:
        return _AWAITING_BY_SLOT.get(state.requested_slot)
    if state.slots.get("choices"):
        return "choice"
    if state.slots.get("proposal"):
        return "confirmation"
    return None


class TurnPipeline:
    def __init__(self, dialogue: DialogueClient, reader: MessageReader, collect: Collect, max_text_chars: int,
                 guide: Guide | None = None, guard: Guard | None = None, state: DeviceState | None = None) -> None:
        self._state = state or MemoryState()
        self.scans = RecentScans(self._state)
        self._dialogue = dialogue
        self._reader = reader
        self._collect = collect
        self._guide = guide
        self._guard = guard
        self._max_text_chars = max_text_chars

    async def awaiting(self, device: str) -> Awaiting | None:
        """What the device's conversation waited for after its last turn."""
        return (await self._after(device))[0]

    async def _after(self, device: str) -> tuple[Awaiting | None, Buttons | None]:
        """What the device's conversation waited for after its last turn, and the buttons it showed."""
        with state_errors():
            stored = await self._state.get(device, _AFTER)
        awaiting, buttons = stored if isinstance(stored, list) and len(stored) == 2 else (None, None)
        return (awaiting if awaiting in _AWAITINGS else None,  # type: ignore[return-value]  # checked: a Literal
                buttons if buttons in _BUTTONS else None)

    async def _note_after(self, device: str, awaiting: Awaiting | None, buttons: Buttons | None) -> None:
        with state_errors():
            await self._state.put(device, _AFTER, [awaiting, buttons])

    async def _language(self, device: str, default: str) -> str:
        """The language of the device's last words (a tap has none of its own)."""
        with state_errors():
            lang = await self._state.get(device, _LANGUAGE)
        return lang if isinstance(lang, str) else default

    def check_text(self, text: str) -> str:
        """The input stage's rules for text; raises before anything reaches the dialogue."""
        # A leading "/" would make the words an intent payload for Rasa; only buttons send those.
        cleaned = text.strip().lstrip("/").strip()
        if not cleaned:
            raise TurnError("input-empty", "input")
        if len(cleaned) > self._max_text_chars:
            raise TurnError("input-too-long", "input", {"max_chars": self._max_text_chars, "chars": len(cleaned)})
        return cleaned

    async def reply_only(self, ctx: TurnContext, turn_input: TurnInput, text: str, lang: str) -> TurnResult:
        """A turn the pipeline answers itself (nothing to understand, or refused): nothing reaches the dialogue,
        and the conversation still waits for what it waits for (asked of Rasa: a conversation may have been
        reset since this device's last turn; the last one known while Rasa does not answer)."""
        state = await self._dialogue.state(ctx.device)
        if state is not None:
            awaiting = awaiting_from(state)
            await self._note_after(ctx.device, awaiting, _buttons(awaiting, state))
        awaiting, buttons = await self._after(ctx.device)
        return TurnResult(turn_id=uuid.uuid4().hex, input=turn_input, intent=Intent(name=None, confidence=0.0),
                          entities=(), reply=Reply(text=text, language=lang), awaiting=awaiting, buttons=buttons)

    async def run_action(self, ctx: TurnContext, action: ActionId, on_event: EventCallback = ignore_events,
                         draft: str | None = None) -> TurnResult:
        """A tapped button (confirm or cancel a draft): the dialogue gets the intent itself, and the reply
        comes in the language the device last spoke. `draft`: the read-back the tap confirms; when the one
        waiting is another (corrected, replaced, already done), nothing is confirmed and the person is told."""
        lang = await self._language(ctx.device, ctx.language)
        if action == "confirm" and draft is not None:
            state = await self._dialogue.state(ctx.device)
            pending = parse_proposal(state.slots.get("proposal")) if state is not None else None
            if pending is None or isinstance(pending, CancelProposal) or draft_id(pending) != draft:
                answer = await self.reply_only(ctx, TurnInput(kind="action", text=action),
                                               say("confirm-stale", lang), lang)
                return answer.model_copy(update={"outcome": "refused"})
        intent = _ACTION_INTENTS[action]
        payload = f"/{intent}"

        def tapped() -> tuple[str, CharConfidence]:
            return payload, CharConfidence.sure(payload)

        return await self._converse(ctx, lang, tapped, on_event, TurnInput(kind="action", text=action), {},
                                    Parse(payload, intent, 1.0, ((intent, 1.0),)), (), False)

    async def run_text(
        self, ctx: TurnContext, text: str, on_event: EventCallback = ignore_events,
        turn_input: TurnInput | None = None, metadata: dict[str, JsonValue] | None = None,
        chars: CharConfidence | None = None, scans: Sequence[Scan] = (), answer_only: bool = False,
    ) -> TurnResult:
        """Words typed, transcribed or read: checked by the input stage, read once, answered in their own
        language. `chars` are the recogniser's per-character confidences of `text` (typed words: sure); `scans`
        the codes photographed with them. `answer_only`: the words were heard with doubt, so they are taken only
        as a yes or no to the pending read-back; anything else is asked again, never acted on as a new command."""
        lang = detect_language(text) if text.strip() else ctx.language

        def checked() -> tuple[str, CharConfidence]:
            cleaned = self.check_text(text)
            known = chars or CharConfidence.sure(text)
            at = text.find(cleaned)
            return cleaned, CharConfidence(known.confidence[at:at + len(cleaned)],
                                           known.changed[at:at + len(cleaned)])

        return await self._converse(ctx, lang, checked, on_event, turn_input, metadata or {}, None, scans,
                                    answer_only)

    async def _converse(
        self, ctx: TurnContext, lang: str, message_of: Callable[[], tuple[str, CharConfidence]],
        on_event: EventCallback, turn_input: TurnInput | None, metadata: dict[str, JsonValue],
        parsed: Parse | None, scans: Sequence[Scan], answer_only: bool,
    ) -> TurnResult:
        """One exchange with the dialogue engine. `message_of` gives what Rasa receives (checked words, or an
        intent payload) with its character confidences; it runs inside the turn, so its TurnError is reported
        as the turn's. `parsed`: the intent is already known (a tapped button), no NLU parse."""
        turn_id = uuid.uuid4().hex
        started = time.perf_counter()
        await on_event(TurnEvent(TurnEventType.turn_start, turn_id, {"device": ctx.device}))
        try:
            message, chars = message_of()
            await on_event(TurnEvent(TurnEventType.input_end, turn_id, {"text": message, "language": lang}))
            with state_errors():  # a shared store down, or a turn stuck in another process: said, not a 500
                async with self._state.turn(ctx.device):
                    await self._state.put(ctx.device, _LANGUAGE, lang)
                    await on_event(TurnEvent(TurnEventType.nlu_start, turn_id))
                    nlu_started = time.perf_counter()
                    parse = parsed or await self._dialogue.parse(message, ctx.device)
                    parse_ms = (time.perf_counter() - nlu_started) * 1000
                    shown = turn_input or TurnInput(text=message)
                    if answer_only and parse.intent not in _ANSWERS:
                        return await self._answered_here(await self.not_heard(ctx, shown, lang), turn_id, parse,
                                                         on_event)
                    await asyncio.to_thread(self._reader.refresh)
                    reading = self._reader.read("" if parsed else message, site=ctx.site, intent=parse.intent,
                                                tagged=parse.tagged)
                    if out_of_scope(parse.intent, message, reading.mentions, len(reading.documents)):
                        # A command that names nothing of the domain nor says its verb is not one: no form opens.
                        parse = replace(parse, intent="out_of_scope", ranking=(("out_of_scope", parse.confidence),
                                                                               *parse.ranking))
                    refused = self._guard(ctx, parse.intent, reading, lang) if self._guard is not None else None
                    if refused is not None:  # not permitted: the dialogue never sees it, so nothing can be written
                        log.info("turn-refused", turn_id=turn_id, device=ctx.device, worker=ctx.worker,
                                 intent=parse.intent)
                        answer = (await self.reply_only(ctx, shown, refused, lang)).model_copy(
                            update={"entities": tuple(reading.entities()), "outcome": "refused"})
                        return await self._answered_here(answer, turn_id, parse, on_event)
                    scanned: list[JsonValue] = [*await self.scans.take(ctx.device), *scans]
                    sent: dict[str, JsonValue] = {
                        **metadata, "scans": scanned, "turn_id": turn_id, "device": ctx.device,
                        "device_kind": ctx.device_kind, "site": ctx.site, "worker": ctx.worker, "lang": lang,
                        "customer": ctx.customer}
                    exchange = await self._dialogue.exchange(ctx.device, message, parse.data(reading.entities()), sent)
                    nlu_ms = (time.perf_counter() - nlu_started) * 1000
                    await on_event(TurnEvent(TurnEventType.nlu_end, turn_id,
                                             {"intent": parse.intent, "confidence": parse.confidence}))
                    documents, orders = await self._collect(turn_id)
                    awaiting = awaiting_from(exchange.state)
                    buttons = _buttons(awaiting, exchange.state)
                    await self._note_after(ctx.device, awaiting, buttons)
        except TurnError as error:
            error.turn_id = turn_id
            await on_event(TurnEvent(TurnEventType.error, turn_id, {"code": error.code, "stage": error.stage}))
            log.info("turn-failed", turn_id=turn_id, device=ctx.device, code=error.code)
            raise
        shown_input = turn_input or TurnInput(kind="text", text=message)
        if reading.text:
            shown_input = shown_input.model_copy(update={"fields": self._reader.fields(reading, chars)})
        proposal = parse_proposal(exchange.state.slots.get("proposal"))
        guidance = (self._guide(ctx, documents, lang, await self.scans.last_location(ctx.device))
                    if self._guide is not None else None)
        result = TurnResult(
            turn_id=turn_id,
            input=shown_input,
            intent=_turn_intent(parse, documents),
            entities=tuple(reading.entities()),
            reply=Reply(text=_reply_text(exchange), language=lang, messages=exchange.messages),
            awaiting=awaiting,
            documents=documents,
            agv_orders=orders,
            draft=None if isinstance(proposal, CancelProposal) else proposal,
            buttons=buttons,
            guidance=guidance,
            timings_ms={"parse": round(parse_ms, 1), "nlu": round(nlu_ms, 1), **exchange.timings_ms,
                        "total": round((time.perf_counter() - started) * 1000, 1)},
        )
        await on_event(TurnEvent(TurnEventType.reply, turn_id, {"text": result.reply.text}))
        await on_event(TurnEvent(TurnEventType.turn_end, turn_id, {"awaiting": result.awaiting}))
        log.info("turn", turn_id=turn_id, device=ctx.device, intent=parse.intent,
                 documents=[d.id for d in documents], ms=result.timings_ms["total"])
        return result

    async def _answered_here(self, answer: TurnResult, turn_id: str, parse: Parse, on_event: EventCallback
                             ) -> TurnResult:
        """A turn the pipeline answered itself after the parse (asked again, or refused): its events, its id."""
        answer = answer.model_copy(update={"turn_id": turn_id, "intent": Intent(
            name=parse.intent, confidence=round(parse.confidence, 4), utterance=parse.intent)})
        await on_event(TurnEvent(TurnEventType.nlu_end, turn_id, {"intent": parse.intent,
                                                                   "confidence": parse.confidence}))
        await on_event(TurnEvent(TurnEventType.reply, turn_id, {"text": answer.reply.text}))
        await on_event(TurnEvent(TurnEventType.turn_end, turn_id, {"awaiting": answer.awaiting}))
        return answer

    async def not_heard(self, ctx: TurnContext, turn_input: TurnInput, lang: str) -> TurnResult:
        """Nothing clear was heard: ask again, and say what answers a pending read-back."""
        answer = await self.reply_only(ctx, turn_input, say("not-heard", lang), lang)
        if answer.awaiting == "confirmation":
            answer = answer.model_copy(update={"reply": answer.reply.model_copy(
                update={"text": say("not-heard-confirm", lang)})})
        return answer.model_copy(update={"outcome": "not-heard"})


def _reply_text(exchange: Exchange) -> str:
    return "\n".join(m.text for m in exchange.messages if m.text)


def _buttons(awaiting: Awaiting | None, state: DialogueState) -> Buttons | None:
    """The buttons a device may show for what the assistant waits for: a yes/no question has two."""
    if awaiting == "confirmation":
        return "confirm"
    if awaiting == "customer" and state.slots.get("new_customer"):
        return "register"
    return None


def _turn_intent(parse: Parse, documents: Sequence[Document]) -> Intent:
    executed = next((_COMMAND_BY_DOCUMENT[d.type] for d in documents if d.type in _COMMAND_BY_DOCUMENT), None)
    name = executed if executed and parse.intent == "affirm" else parse.intent
    return Intent(name=name, confidence=round(parse.confidence, 4), utterance=parse.intent)
