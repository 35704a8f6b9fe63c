"""Turns on record as the API shows them to a site's supervisors and managers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class OcrLineRecordOut(BaseModel):
    text: str
    corrected: str | None
    confidence: float


class TurnRecordOut(BaseModel):
    id: str
    ts: str  # ISO 8601, UTC
    site: str
    device: str
    worker: str | None
    channel: str  # api | headset | wecom | dingtalk
    input_kind: str  # text | audio | image | action
    input_text: str | None
    input_sha256: str | None
    media_path: str | None  # under var/media, while the retention keeps it
    transcript_raw: str | None
    transcript: str | None
    stt_confidence: float | None
    ocr_lines: list[OcrLineRecordOut]
    intent: str | None
    intent_confidence: float | None
    entities: list[dict[str, Any]]
    reply: str | None
    lang: str
    documents: list[str]
    timings_ms: dict[str, float]
    result: str  # ok | refused | not-heard | an error code
    stage: str | None
