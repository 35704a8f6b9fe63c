"""PaddleOCR 3.x on onnxruntime: load once, read a prepared image into lines in reading order."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import structlog

from vision.models import Variant, model_dirs, set_offline_env
from vision.preprocess import Image

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RawLine:
    """A recognised line; `box` is 4 corner points in the image that was read."""

    text: str
    confidence: float
    box: npt.NDArray[np.float64]


class NoteReader:
    """Wraps one PaddleOCR pipeline (text detection + recognition only: no document orientation, unwarping
    or line orientation models, which our notes do not need and which would cost a download and time)."""

    def __init__(self, models_dir: Path, variant: Variant = "tiny", threads: int = 2) -> None:
        dirs = model_dirs(models_dir, variant)
        set_offline_env()
        started = time.perf_counter()
        from paddleocr import PaddleOCR  # heavy (about 1 s): imported only when a reader is built

        self._pipeline: Any = PaddleOCR(
            engine="onnxruntime",
            engine_config={"intra_op_num_threads": threads, "inter_op_num_threads": 1},
            text_detection_model_name=dirs.det_name,
            text_detection_model_dir=str(dirs.det_dir),
            text_recognition_model_name=dirs.rec_name,
            text_recognition_model_dir=str(dirs.rec_dir),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            # Slightly larger boxes than the default 1.4: finger-written strokes are thick and uneven,
            # and clipped glyph edges were the main recognition error on the fixtures.
            text_det_unclip_ratio=1.6,
        )
        # The pipeline object is not documented as thread-safe; one read at a time.
        self._lock = threading.Lock()
        log.info("ocr.loaded", variant=variant, seconds=round(time.perf_counter() - started, 2))

    def read(self, image: Image) -> list[RawLine]:
        with self._lock:
            results = list(self._pipeline.predict(image))
        if not results:
            return []
        res = results[0]
        lines = []
        for poly, text, score in zip(res["rec_polys"], res["rec_texts"], res["rec_scores"], strict=True):
            if str(text).strip():
                lines.append(RawLine(str(text), float(score), np.asarray(poly, dtype=np.float64).reshape(4, 2)))
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
