"""A turn as the device gets it back: the domain's result with its documents, draft, buttons and route rendered
in the reply's language."""

from __future__ import annotations

from assistant.catalogue import lang_of, say
from assistant.pipeline import Buttons, TurnContext, TurnResult
from assistant.world.schema import World
from server.render.documents import agv_order_out, document_out
from server.render.draft import draft_out
from server.render.guidance import guidance_out
from server.schemas.documents import TurnDocumentOut
from server.schemas.turns import (
    BotMessageOut,
    EntityOut,
    IntentOut,
    OcrLineOut,
    ReplyOut,
    TurnActionOut,
    TurnInputOut,
    TurnOut,
)

# Labels of the two buttons of each kind of yes/no question: confirm, then cancel.
_BUTTON_LABELS: dict[Buttons, tuple[str, str]] = {"confirm": ("button-confirm", "button-cancel"),
                                                  "register": ("button-register", "button-not-this")}


def turn_out(turn: TurnResult, ctx: TurnContext, world: World) -> TurnOut:
    lang = lang_of(turn.reply.language)
    documents: list[TurnDocumentOut] = [document_out(d) for d in turn.documents]
    documents += [agv_order_out(order) for order in turn.agv_orders]
    actions = []
    if turn.buttons is not None:
        confirm, cancel = _BUTTON_LABELS[turn.buttons]
        actions = [TurnActionOut(id="confirm", label=say(confirm, lang)),
                   TurnActionOut(id="cancel", label=say(cancel, lang))]
    return TurnOut(
        turn_id=turn.turn_id,
        input=TurnInputOut(
            kind=turn.input.kind, text=turn.input.text, transcript=turn.input.transcript,
            transcript_raw=turn.input.transcript_raw, confidence=turn.input.confidence,
            ocr_lines=[OcrLineOut(text=ln.text, raw_text=ln.raw_text, confidence=round(ln.confidence, 3))
                       for ln in turn.input.ocr_lines],
            fields=list(turn.input.fields), codes=list(turn.input.codes)),
        intent=IntentOut(name=turn.intent.name, confidence=turn.intent.confidence, utterance=turn.intent.utterance),
        entities=[EntityOut.model_validate(dict(e)) for e in turn.entities],
        reply=ReplyOut(text=turn.reply.text, language=lang,
                       messages=[BotMessageOut(text=m.text, custom=m.custom) for m in turn.reply.messages]),
        awaiting=turn.awaiting,
        documents=documents,
        draft=draft_out(world, turn.draft, lang) if turn.draft is not None else None,
        actions=actions,
        guidance=guidance_out(turn.guidance, lang, ctx.device_kind) if turn.guidance is not None else None,
        timings_ms=turn.timings_ms,
    )
