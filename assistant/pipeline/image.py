"""The image input stage: OCR and barcodes → the turn text, with lines, fields and codes kept for the reply."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.dialogue.messages import say
from assistant.pipeline.errors import TurnError
from assistant.pipeline.turn import TurnContext, TurnInput, TurnPipeline, TurnResult
from vision import VisionError, VisionResult, VisionService

_ERRORS = {
    "image-unsupported": ("这不是能识别的图片，请上传 PNG 或 JPEG 照片。",
                          "That is not an image I can read; send a PNG or JPEG."),
    "image-corrupt": ("图片已损坏，无法读取。", "The image is damaged and cannot be read."),
    "image-too-large": ("图片太大，请缩小后再发。", "The image is too large; please send a smaller one."),
    "vision-models-missing": ("文字识别模型没有安装(请运行 make setup)。",
                              "The OCR models are not installed (run make setup)."),
}
_FIELD_NAMES = {"customer": ("客户", "customer"), "date": ("日期", "date"), "item": ("品名", "item"),
                "amount": ("数量", "amount")}


def _error(error: VisionError) -> TurnError:
    zh, en = _ERRORS.get(error.code, ("图片无法处理。", "The image could not be processed."))
    return TurnError(error.code, "ocr", error.http_status, zh, en)


def _scan_metadata(result: VisionResult) -> dict[str, Any]:
    """Codes that name an item or a location, for the dialogue to fill slots with."""
    scans = [{"kind": c.match.kind, "code": c.match.code, "lot": c.gs1.lot if c.gs1 else None,
              "expiry": c.gs1.expiry.isoformat() if c.gs1 and c.gs1.expiry else None}
             for c in result.codes if c.match.kind != "none"]
    return {"scans": scans} if scans else {}


def _codes_reply(result: VisionResult, lang: str) -> str:
    found = [f"{c.match.name}({c.match.code})" for c in result.codes if c.match.kind != "none" and c.match.name]
    if found:
        return say("scan-result", lang, found="、".join(found) if lang != "en" else ", ".join(found))
    texts = ", ".join(c.text for c in result.codes)
    suggestions = [s for c in result.codes for s in c.match.suggestions]
    if suggestions:
        return say("scan-unknown-suggest", lang, text=texts, suggestions="、".join(suggestions))
    return say("scan-unknown", lang, text=texts)


async def run_image(
    pipeline: TurnPipeline, vision: VisionService, ctx: TurnContext, image: bytes, content_type: str | None,
    text: str, today: date,
) -> TurnResult:
    lang = "en" if ctx.language == "en" else "zh"
    try:
        result = await vision.read(image, content_type, site=ctx.site, today=today)
    except VisionError as error:
        raise _error(error) from error
    combined = "\n".join(part for part in (text.strip(), result.text_for_nlu) if part)
    turn_input = TurnInput(
        kind="image", text=combined,
        ocr_lines=[{"text": ln.text, "raw_text": ln.raw_text, "confidence": round(ln.confidence, 3)}
                   for ln in result.ocr_lines],
        fields=[f.model_dump(mode="json") for f in result.fields],
        codes=[c.model_dump(mode="json", exclude={"box"}) for c in result.codes],
    )
    if not combined:
        # A label alone: remember what it names for the next command, and say what it is.
        pipeline.scans.remember(ctx.device, _scan_metadata(result).get("scans", []))
        reply = _codes_reply(result, lang) if result.codes else say("image-empty", lang)
        return pipeline.reply_only(ctx, turn_input, reply, lang)
    scans = _scan_metadata(result)
    pipeline.scans.note_position(ctx.device, scans.get("scans", []))
    turn = await pipeline.run_text(ctx, combined, turn_input=turn_input, metadata=scans)
    note = _check_note(result, turn.reply.language)
    if note:
        turn.reply.text = f"{turn.reply.text}\n{note}" if turn.reply.text else note
    return turn


def _check_note(result: VisionResult, lang: str) -> str | None:
    """"请核对：品名(也可能是绿茶)": the doubtful fields, each with what else it may say."""
    sep = ", " if lang == "en" else "、"
    doubtful = []
    for f in result.fields:
        if not f.low_confidence:
            continue
        name = _FIELD_NAMES[f.name][1 if lang == "en" else 0]
        if f.alternatives:
            name = say("field-or", lang, field=name, alternatives=sep.join(a.label for a in f.alternatives))
        doubtful.append(name)
    return say("check-fields", lang, fields=sep.join(doubtful)) if doubtful else None
