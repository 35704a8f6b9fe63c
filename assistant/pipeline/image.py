"""The image input stage: OCR and barcodes → the turn text, with its per-character confidences, the lines and
the codes kept for the reply. What the codes name is looked up here; what the text says is read by the one
reading of the turn."""

from __future__ import annotations

import time

from assistant.catalogue import join_list, lang_of, say
from assistant.language.codes import CodeMatcher, ScannedCode
from assistant.language.fields import CharConfidence, FieldReading
from assistant.pipeline.errors import TurnError
from assistant.pipeline.results import TurnContext, TurnInput, TurnResult
from assistant.pipeline.scans import Scan
from assistant.pipeline.turn import TurnPipeline
from vision import PhotoReader, VisionError, VisionResult


def _scans(codes: tuple[ScannedCode, ...]) -> list[Scan]:
    """Codes that name an item or a location, for the dialogue to fill slots with."""
    return [{"kind": c.match.kind, "code": c.match.code, "lot": c.gs1.lot if c.gs1 else None,
             "expiry": c.gs1.expiry.isoformat() if c.gs1 and c.gs1.expiry else None}
            for c in codes if c.match.kind != "none"]


def _codes_reply(codes: tuple[ScannedCode, ...], lang: str) -> str:
    found = [f"{c.match.name}({c.match.code})" for c in codes if c.match.kind != "none" and c.match.name]
    if found:
        return say("scan-result", lang, found=join_list(found, lang))
    texts = ", ".join(c.text for c in codes)
    suggestions = [s for c in codes for s in c.match.suggestions]
    if suggestions:
        return say("scan-unknown-suggest", lang, text=texts, suggestions="、".join(suggestions))
    return say("scan-unknown", lang, text=texts)


def _chars(typed: str, result: VisionResult) -> CharConfidence:
    """The confidences of `typed + "\\n" + OCR text`: typed words are sure."""
    read = CharConfidence(result.char_confidence, result.char_corrected)
    if not typed:
        return read
    if not result.text_for_nlu:
        return CharConfidence.sure(typed)
    return CharConfidence.sure(typed + "\n") + read


async def run_image(pipeline: TurnPipeline, vision: PhotoReader, matcher: CodeMatcher, ctx: TurnContext,
                    image: bytes, content_type: str | None, text: str) -> TurnResult:
    lang = lang_of(ctx.language)
    started = time.perf_counter()
    try:
        result = await vision.read(image, content_type)
    except VisionError as error:
        raise TurnError(error.code, "ocr") from error
    ocr_ms = round((time.perf_counter() - started) * 1000, 1)
    turn = await _run_read(pipeline, ctx, result, matcher, text, lang)
    return turn.model_copy(update={"timings_ms": {"ocr": ocr_ms, **turn.timings_ms}})


async def _run_read(pipeline: TurnPipeline, ctx: TurnContext, result: VisionResult, matcher: CodeMatcher,
                    text: str, lang: str) -> TurnResult:
    typed = text.strip()
    combined = "\n".join(part for part in (typed, result.text_for_nlu) if part)
    codes = tuple(matcher.scanned(code) for code in result.codes)
    turn_input = TurnInput(kind="image", text=combined, ocr_lines=result.ocr_lines, codes=codes)
    scans = _scans(codes)
    if not combined:
        # A label alone: remember what it names for the next command, and say what it is.
        await pipeline.scans.remember(ctx.device, scans)
        said = _codes_reply(codes, lang) if codes else say("image-empty", lang)
        return await pipeline.reply_only(ctx, turn_input, said, lang)
    await pipeline.scans.note_position(ctx.device, scans)
    turn = await pipeline.run_text(ctx, combined, turn_input=turn_input, scans=scans, chars=_chars(typed, result))
    note = check_note(turn.input.fields, turn.reply.language)
    if note is None:
        return turn
    text_now = f"{turn.reply.text}\n{note}" if turn.reply.text else note
    return turn.model_copy(update={"reply": turn.reply.model_copy(update={"text": text_now})})


def check_note(fields: tuple[FieldReading, ...], lang: str) -> str | None:
    """"请核对：品名(也可能是绿茶)": the doubtful fields, each with what else it may say."""
    doubtful = []
    for f in fields:
        if not f.low_confidence:
            continue
        name = say(f"field-{f.name}", lang)
        if f.alternatives:
            name = say("field-or", lang, field=name, alternatives=join_list([a.label for a in f.alternatives], lang))
        doubtful.append(name)
    return say("check-fields", lang, fields=join_list(doubtful, lang)) if doubtful else None
