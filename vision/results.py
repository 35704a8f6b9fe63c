"""What the vision package returns: plain, frozen, JSON-ready pydantic models."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

Point = tuple[float, float]
Box = tuple[Point, Point, Point, Point]  # clockwise from top-left, in the input image's pixels


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OcrLine(_Frozen):
    """One recognised text line, in reading order. `text` is after correction, `raw_text` as read."""

    text: str
    raw_text: str
    confidence: float
    box: Box


class Gs1Fields(_Frozen):
    """GS1 element strings (GS1-128, GS1 DataMatrix/QR, or a bare EAN/UPC as the GTIN)."""

    gtin: str | None = None
    lot: str | None = None  # AI 10
    expiry: date | None = None  # AI 17
    serial: str | None = None  # AI 21
    count: int | None = None  # AI 37


class CodeReading(_Frozen):
    format: str  # "EAN-13", "Code 128", "QR Code", "Data Matrix", …
    text: str
    decoder: Literal["zxing", "zxing-retry", "zbar"]
    gs1: Gs1Fields | None
    box: Box | None


class VisionResult(_Frozen):
    """Text with its confidences, and codes: what the photo says, not what it means (that is the assistant's)."""

    ocr_lines: tuple[OcrLine, ...]
    text_for_nlu: str  # corrected lines joined in reading order: the turn text
    raw_text: str  # the same, uncorrected
    char_confidence: tuple[float, ...]  # per character of text_for_nlu: its line's recognition confidence
    char_corrected: tuple[bool, ...]  # per character of text_for_nlu: whether correction changed it
    codes: tuple[CodeReading, ...]
    steps: tuple[str, ...]  # preprocessing applied, for logs and debugging
    timings_ms: dict[str, float]

    @property
    def empty(self) -> bool:
        return not self.ocr_lines and not self.codes
