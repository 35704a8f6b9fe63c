"""One turn as it is kept on the record: who, through which channel, what came in (raw and as understood), what
the assistant made of it, what it answered, which documents it touched, how long each stage took, how it ended."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Channel = Literal["api", "headset", "tablet", "wecom", "dingtalk"]
InputKind = Literal["text", "audio", "image", "action"]


class OcrLineRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    corrected: str | None = None
    confidence: float


class TurnRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    ts: dt.datetime
    site: str
    device: str
    worker: str | None
    channel: Channel
    input_kind: InputKind
    input_text: str | None  # the words as typed, or the button tapped
    input_sha256: str | None  # of the raw input: the recording or photo bytes, or the text
    media_path: str | None = None  # the recording or photo itself, kept under the retention setting
    transcript_raw: str | None = None
    transcript: str | None = None  # corrected against the vocabulary
    stt_confidence: float | None = None
    ocr_lines: tuple[OcrLineRecord, ...] = ()
    intent: str | None = None
    intent_confidence: float | None = None
    entities: tuple[dict[str, Any], ...] = ()
    reply: str | None = None
    lang: str
    documents: tuple[str, ...] = ()  # ids of the documents it created or changed
    timings_ms: dict[str, float] = {}
    result: str  # "ok", "refused", "not-heard", or the error code it ended with
    stage: str | None = None  # the stage an error came from
