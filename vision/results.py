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


FieldName = Literal["customer", "date", "item", "amount"]


class FieldAlternative(_Frozen):
    """Another reading of a field the person may have meant: a close name, or the year before."""

    value: str  # code or ISO date, as in FieldReading.value
    label: str  # how the person knows it: the name, or the date


class FieldReading(_Frozen):
    """A field the extractor found in the OCR text, with the confidence of the characters it came from.
    `corrected` when vocabulary or digit correction changed any of them; `low_confidence` asks the
    dialogue to read it back."""

    name: FieldName
    text: str
    value: str | None  # code (customer, item), ISO date, or "number unit" for an amount
    confidence: float
    corrected: bool
    low_confidence: bool
    alternatives: tuple[FieldAlternative, ...] = ()  # best first, never the value itself


class Gs1Fields(_Frozen):
    """GS1 element strings (GS1-128, GS1 DataMatrix/QR, or a bare EAN/UPC as the GTIN)."""

    gtin: str | None = None
    lot: str | None = None  # AI 10
    expiry: date | None = None  # AI 17
    serial: str | None = None  # AI 21
    count: int | None = None  # AI 37


class CodeMatch(_Frozen):
    """What a code refers to in the world. `kind` "none": nothing matched; `suggestions` are close item codes."""

    kind: Literal["item", "location", "none"]
    code: str | None = None
    name: str | None = None
    suggestions: tuple[str, ...] = ()


class CodeReading(_Frozen):
    format: str  # "EAN-13", "Code 128", "QR Code", "Data Matrix", …
    text: str
    decoder: Literal["zxing", "zxing-retry", "zbar"]
    gs1: Gs1Fields | None
    match: CodeMatch
    box: Box | None


class VisionResult(_Frozen):
    ocr_lines: tuple[OcrLine, ...]
    text_for_nlu: str  # corrected lines joined in reading order: the turn text
    raw_text: str  # the same, uncorrected
    fields: tuple[FieldReading, ...]
    codes: tuple[CodeReading, ...]
    steps: tuple[str, ...]  # preprocessing applied, for logs and debugging
    timings_ms: dict[str, float]

    @property
    def empty(self) -> bool:
        return not self.ocr_lines and not self.codes
