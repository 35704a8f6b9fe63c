"""The one entry point the turn API uses: bytes of a photo or screenshot → text lines, a turn text for the
NLU with the confidence of each of its characters, and the decoded barcodes. What the text and the codes mean
(an order's fields, an item's GTIN) is the assistant's business, not this package's."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import structlog

from vision.barcodes import decode_codes
from vision.correct import Corrected, Corrector, Names
from vision.errors import ModelsMissing
from vision.gs1 import gs1_fields
from vision.imageio import decode_image
from vision.ocr import NoteReader, RawLine
from vision.preprocess import Image, Prepared, prepare
from vision.results import Box, CodeReading, OcrLine, VisionResult
from vision.settings import VisionSettings

log = structlog.get_logger(__name__)
# Fewer characters than this read off a photo: too few for any order slip (a customer, an item and an amount),
# so the detector is asked to look again.
SECOND_LOOK_BELOW = 6


class VisionService:
    """Build once per process. Models load on `load()` (or the first read), never at import or construction.
    Blocking work runs in a worker thread, so `read` can be awaited from the event loop."""

    def __init__(self, names: Names, models_dir: Path, *, settings: VisionSettings | None = None) -> None:
        self.use_names(names)
        self._models_dir = models_dir
        self.settings = settings or VisionSettings()
        self._reader: NoteReader | None = None
        self._load_lock = threading.Lock()

    def use_names(self, names: Names) -> None:
        """Names changed (a customer registered): correct against the new ones from the next read."""
        self._corrector = Corrector(names)

    def load(self) -> None:
        """Load the OCR models (about 0.3 s after a 1 s import); idempotent and thread-safe."""
        with self._load_lock:
            if self._reader is None:
                try:
                    self._reader = NoteReader(self._models_dir, self.settings.variant, self.settings.threads,
                                              recogniser=self.settings.recogniser,
                                              second_opinion=self.settings.second_opinion)
                except FileNotFoundError as exc:
                    raise ModelsMissing(str(exc)) from exc

    async def start(self) -> None:
        await asyncio.to_thread(self.load)

    async def read(self, image: bytes, content_type: str | None) -> VisionResult:
        return await asyncio.to_thread(self.read_sync, image, content_type)

    def read_sync(self, image: bytes, content_type: str | None, *, preprocess: bool = True) -> VisionResult:
        """Raises ImageUnsupported, ImageCorrupt, ImageTooLarge (VisionError); an image without text or code
        gives an empty result. `preprocess=False` reads the photo as it is (for measuring what preparing earns)."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = round((now - clock) * 1000, 1)
            clock = now

        bgr, scale = decode_image(image, content_type)
        lap("decode")
        codes = self._codes(bgr, scale)
        lap("codes")
        prepared = prepare(bgr) if preprocess else Prepared(bgr)
        lap("preprocess")
        raw = self._ocr(prepared)
        if not prepared.polarity_sure:
            # Neither dark nor light ink stood out clearly: read the other polarity too, keep what reads better.
            other = prepare(bgr, "dark-on-light" if "invert" in prepared.steps else "light-on-dark")
            other_raw = self._ocr(other)
            if _weight(other_raw) > _weight(raw):
                prepared, raw = other, other_raw
            prepared.steps.append("polarity:both-read")
        lap("ocr")
        fixed = [self._corrector.correct(ln.text, ln.chars or None, ln.confidence) for ln in raw]
        lines = tuple(self._line(ln, fix, prepared, scale) for ln, fix in zip(raw, fixed, strict=True))
        text, confidence, corrected = _join(fixed)
        lap("correct")
        result = VisionResult(
            ocr_lines=lines,
            text_for_nlu=text,
            raw_text=" ".join(ln.raw_text for ln in lines),
            char_confidence=confidence,
            char_corrected=corrected,
            codes=tuple(codes),
            steps=tuple(prepared.steps),
            timings_ms=timings,
        )
        log.info(
            "vision.read",
            lines=len(lines),
            codes=len(codes),
            steps=prepared.steps,
            ms=timings,
        )
        return result

    def _ocr(self, prepared: Prepared) -> list[RawLine]:
        self.load()
        assert self._reader is not None
        lines = self._kept(self._reader.read(prepared.image))
        if sum(len(ln.text.strip()) for ln in lines) < SECOND_LOOK_BELOW:
            # Almost nothing read: a faint, thin or foreshortened line the detector scored just under its cut.
            # Look again with looser thresholds and keep whichever reading says more, more surely.
            again = self._kept(self._reader.read(prepared.image, looser=True))
            if _weight(again) > _weight(lines):
                lines = again
                prepared.steps.append("second-look")
        return lines

    def _kept(self, lines: list[RawLine]) -> list[RawLine]:
        return [ln for ln in lines if ln.confidence >= self.settings.min_line_confidence]

    def _codes(self, bgr: Image, scale: float) -> list[CodeReading]:
        out = []
        for code in decode_codes(bgr):
            gs1 = gs1_fields(code)
            box = None if code.box is None else _scaled(code.box, scale)
            out.append(CodeReading(
                format=code.format,
                text=code.text,
                decoder=code.decoder,
                gs1=gs1,
                box=box,
            ))
        return out

    def _line(self, line: RawLine, corrected: Corrected, prepared: Prepared, scale: float) -> OcrLine:
        points = prepared.to_original(line.box) / scale
        box: Box = tuple((round(float(x), 1), round(float(y), 1)) for x, y in points)  # type: ignore[assignment]
        return OcrLine(text=corrected.text, raw_text=line.text, confidence=round(line.confidence, 4), box=box)


def _join(lines: list[Corrected]) -> tuple[str, tuple[float, ...], tuple[bool, ...]]:
    """Lines joined with spaces (the extractor reads across them), and per-character confidence and
    correction flags so a field can be scored by the characters it came from: each character's own probability
    where the recogniser gave one (a line's mean hides the one character it was unsure of), else its line's."""
    parts: list[str] = []
    confidence: list[float] = []
    changed: list[bool] = []
    for i, line in enumerate(lines):
        if i:
            parts.append(" ")
            confidence.append(1.0)
            changed.append(False)
        parts.append(line.text)
        confidence += line.confidence
        changed += line.changed
    return "".join(parts), tuple(confidence), tuple(changed)


def _weight(lines: list[RawLine]) -> float:
    """How much a reading says, and how surely: characters read, each weighed by its line's confidence."""
    return sum(len(ln.text.strip()) * ln.confidence for ln in lines)


def _scaled(box: Box, scale: float) -> Box:
    return tuple((round(x / scale, 1), round(y / scale, 1)) for x, y in box)  # type: ignore[return-value]
