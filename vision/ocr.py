"""PP-OCRv6 on onnxruntime: load once, read a prepared image into lines in reading order.

Text detection is PaddleOCR's (`TextDetection`, the DB model and its box post-processing); recognition is
`vision.recognise`, the same model PaddleOCR would run, decoded so that each character keeps its own probability.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import structlog

from vision.images import Image
from vision.models import Variant, model_dirs, set_offline_env
from vision.recognise import CharReading, LineRecogniser

log = structlog.get_logger(__name__)
# The detection model's own post-processing thresholds (its inference.yml), looser than PaddleOCR's pipeline
# (pixels 0.3, boxes 0.6), for a second look at a photo where almost nothing was found.
LOOSER_DETECTION = {"thresh": 0.2, "box_thresh": 0.4}


@dataclass(frozen=True, slots=True)
class RawLine:
    """A recognised line; `box` is 4 corner points in the image that was read. `chars`, one per character of
    `text` when the recogniser gave them, hold each character's own probability and alternatives."""

    text: str
    confidence: float
    box: npt.NDArray[np.float64]
    chars: tuple[CharReading, ...] = ()


class NoteReader:
    """Text detection + recognition only: no document orientation, unwarping or line orientation models, which
    our notes do not need and which would cost a download and time."""

    def __init__(self, models_dir: Path, variant: Variant = "tiny", threads: int = 2, *,
                 recogniser: Variant | None = None, second_opinion: Variant | None = None) -> None:
        dirs = model_dirs(models_dir, variant, recogniser)
        same = second_opinion == (recogniser or variant)
        second = None if second_opinion is None or same else model_dirs(models_dir, second_opinion).rec_dir
        set_offline_env()
        started = time.perf_counter()
        from paddleocr import TextDetection  # heavy (about 1 s): imported only when a reader is built

        self._detector: Any = TextDetection(
            model_name=dirs.det_name,
            model_dir=str(dirs.det_dir),
            engine="onnxruntime",
            engine_config={"intra_op_num_threads": threads, "inter_op_num_threads": 1},
            # PaddleOCR's OCR pipeline settings: the whole image at its size (at least 64 px on the short side),
            # pixel threshold 0.3, box threshold 0.6; slightly larger boxes than the default 1.4, because
            # finger-written strokes are thick and uneven and clipped glyph edges were the main recognition error
            # on the fixtures.
            limit_side_len=64,
            limit_type="min",
            thresh=0.3,
            box_thresh=0.6,
            unclip_ratio=1.6,
        )
        self._recogniser = LineRecogniser(dirs.rec_dir, threads, second)
        # The predictors are not documented as thread-safe; one read at a time.
        self._lock = threading.Lock()
        log.info("ocr.loaded", variant=variant, recogniser=recogniser or variant, second_opinion=second_opinion,
                 seconds=round(time.perf_counter() - started, 2))

    def read(self, image: Image, *, looser: bool = False) -> list[RawLine]:
        """The lines of `image` in reading order. `looser`: with the detection model's own thresholds, lower than
        the pipeline's (more faint or slanted lines found, and more stray marks)."""
        with self._lock:
            results = list(self._detector.predict(image, **(LOOSER_DETECTION if looser else {})))
            polys = [np.asarray(p, dtype=np.float64).reshape(4, 2) for p in results[0]["dt_polys"]] if results else []
            lines = []
            for box in polys:
                line = self._recogniser.read(image, box)
                if line.text.strip():
                    lines.append(RawLine(line.text, line.confidence, box, line.chars))
        return reading_order(lines)


def reading_order(lines: list[RawLine]) -> list[RawLine]:
    """Rows top to bottom, left to right within a row. Two boxes share a row when their vertical centres
    are within half a line height (the image is deskewed first, so rows are near horizontal)."""
    if not lines:
        return []
    heights = [float(np.ptp(line.box[:, 1])) for line in lines]
    half = 0.5 * float(np.median(heights))
    rows: list[list[RawLine]] = []
    for line in sorted(lines, key=lambda ln: float(ln.box[:, 1].mean())):
        centre = float(line.box[:, 1].mean())
        if rows and abs(centre - float(np.mean([r.box[:, 1].mean() for r in rows[-1]]))) <= half:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: float(ln.box[:, 0].min()))]
