"""`VisionSettings`: what a deployment may tune in the vision package, with the only defaults.

A pydantic model so that the app nests it in its own settings (`vision`) and refuses a bad value at start-up."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vision.models import Variant


class VisionSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    variant: Variant = "tiny"  # text detection: PP-OCRv6 tiny (fast) or small (slower, for harder handwriting)
    # Line recognition: small reads handwriting far better than tiny (half the characters misread on the notes dev
    # set) for about 50 ms a line; the detector, run on the whole photo, is where the time goes.
    recogniser: Variant = "small"
    # A second recogniser whose doubt about a character lowers that character's confidence (None: no second
    # opinion): one model's confidence misses its confident misreads, two disagreeing do not.
    second_opinion: Variant | None = "tiny"
    threads: int = Field(default=2, ge=1)  # ONNX Runtime threads of one read; reads run one at a time
    # An OCR line below this is paper texture or a stray stroke, not writing: dropped before the fields are read.
    min_line_confidence: float = Field(default=0.5, ge=0, le=1)
