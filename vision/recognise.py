"""Text-line recognition (PP-OCRv6 rec on ONNX Runtime) that keeps what the model says about each character.

PaddleOCR's pipeline returns a line's text and one score, the mean over its characters. A note's fields are a
few characters each ("4两", "黄丽", a date), and a line read 0.92 on average can hold one character the model gave
0.35. So the recogniser is run here on the crops of the detected lines, the same model and the same input
preparation as PaddleOCR's (rotated minimum-area crop, 48 px high, width by aspect, values in -1..1), and its CTC
output is decoded keeping, per character, its probability and the other characters it weighed there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import yaml

from vision.images import Image

REC_HEIGHT = 48
MIN_WIDTH = 320  # the model's trained input width: narrower crops are padded
MAX_WIDTH = 3200
TOP_K = 4  # alternatives kept per character
MIN_ALTERNATIVE = 0.01  # an alternative the model gave less than this is noise


@dataclass(frozen=True, slots=True)
class CharReading:
    """One recognised character: its probability (the highest over the frames that read it) and the other
    characters the model weighed in those frames, likeliest first."""

    char: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    frames: tuple[int, int] = (0, 0)  # first and last CTC frame that read it
    second: float | None = None  # a second recogniser's probability for the same character there (`checked`)


@dataclass(frozen=True, slots=True)
class LineReading:
    text: str
    confidence: float  # PaddleOCR's line score: the mean of each character's first-frame probability
    chars: tuple[CharReading, ...]


class LineRecogniser:
    """One ONNX Runtime session of a PP-OCR recognition model (`inference.onnx` and its `inference.yml`), and
    optionally a second model of the same family for a second opinion on each character (`checked`)."""

    def __init__(self, model_dir: Path, threads: int = 2, second: Path | None = None) -> None:
        self._model = _Model(model_dir, threads)
        self._second = None if second is None else _Model(second, threads)

    def read(self, image: Image, box: npt.NDArray[np.float64]) -> LineReading:
        """Recognise the line inside `box` (4 corner points in `image`)."""
        crop = crop_line(image, box)
        if crop.size == 0:
            return LineReading("", 0.0, ())
        batch = _model_input(crop)
        line = decode(self._model.probabilities(batch), self._model.chars)
        if self._second is None or not line.chars:
            return line
        return checked(line, self._second.probabilities(batch), self._second.chars)


class _Model:
    def __init__(self, model_dir: Path, threads: int) -> None:
        import onnxruntime as ort  # heavy: only when a reader is built

        config = yaml.safe_load((model_dir / "inference.yml").read_text(encoding="utf-8"))
        # CTC: index 0 is the blank, then the dictionary, then the space PaddleOCR appends.
        self.chars: list[str] = ["", *config["PostProcess"]["character_dict"], " "]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session: Any = ort.InferenceSession(str(model_dir / "inference.onnx"), options,
                                                  providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def probabilities(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return np.asarray(self._session.run(None, {self._input: batch})[0][0], dtype=np.float32)


def checked(line: LineReading, other: npt.NDArray[np.float32], chars: list[str]) -> LineReading:
    """`line` with a second recogniser's word on each character: its probability for the same character over the
    same frames (one frame of slack each side; both models of the family read a crop in the same frames), and what
    else it weighed there, pooled with the alternatives. A larger model reads more characters right but is sure of
    its few wrong ones too (a point lost in "2.5斤" read 25斤 at 0.98); where the quantity is concerned, the
    correction takes the less sure of the two (`vision.correct`). A character the second model cannot read at all
    has no second word."""
    index = {c: i for i, c in enumerate(chars) if i}
    out = []
    for c in line.chars:
        a, b = max(0, c.frames[0] - 1), min(len(other), c.frames[1] + 2)
        if a >= b:
            out.append(c)
            continue
        window = other[a:b]
        k = index.get(c.char)
        second = None if k is None else round(float(window[:, k].max()), 4)
        peak = window.max(axis=0)
        pooled = dict(c.alternatives)
        for j in np.argsort(-peak)[: TOP_K + 2].tolist():
            ch = chars[j]
            if j and ch != c.char and peak[j] >= MIN_ALTERNATIVE:
                pooled[ch] = max(pooled.get(ch, 0.0), round(float(peak[j]), 4))
        alternatives = tuple(sorted(pooled.items(), key=lambda kv: -kv[1])[:TOP_K])
        out.append(CharReading(c.char, c.confidence, alternatives, c.frames, second))
    return LineReading(line.text, line.confidence, tuple(out))


def crop_line(image: Image, box: npt.NDArray[np.float64]) -> Image:
    """The line's minimum-area rectangle warped flat (PaddleOCR's crop); turned upright when it stands tall."""
    rect = cv2.minAreaRect(np.asarray(box, dtype=np.float32).astype(np.int32))
    points = sorted((tuple(p) for p in cv2.boxPoints(rect)), key=lambda p: p[0])
    left = sorted(points[:2], key=lambda p: p[1])
    right = sorted(points[2:], key=lambda p: p[1])
    corners = np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
    width = int(max(np.linalg.norm(corners[0] - corners[1]), np.linalg.norm(corners[2] - corners[3])))
    height = int(max(np.linalg.norm(corners[0] - corners[3]), np.linalg.norm(corners[1] - corners[2])))
    if width < 1 or height < 1:
        return np.zeros((0, 0, 3), dtype=np.uint8)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    flat = cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    if height / width >= 1.5:
        flat = np.rot90(flat)
    return np.ascontiguousarray(flat, dtype=np.uint8)


def _model_input(crop: Image) -> npt.NDArray[np.float32]:
    """PaddleOCR's input for one line: RGB, 48 px high, the width its aspect gives (at least the trained 320, the
    rest padded with zeros), values scaled to -1..1."""
    code = cv2.COLOR_GRAY2RGB if crop.ndim == 2 else cv2.COLOR_BGR2RGB
    rgb = np.asarray(cv2.cvtColor(crop, code), dtype=np.uint8)
    h, w = rgb.shape[:2]
    padded_width = int(REC_HEIGHT * max(MIN_WIDTH / REC_HEIGHT, w / h))
    if padded_width > MAX_WIDTH:
        width = padded_width = MAX_WIDTH
    else:
        width = min(padded_width, math.ceil(REC_HEIGHT * w / h))
    resized = cv2.resize(rgb, (width, REC_HEIGHT)).astype(np.float32)
    batch = np.zeros((1, 3, REC_HEIGHT, padded_width), dtype=np.float32)
    batch[0, :, :, :width] = (resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    return batch


def decode(probs: npt.NDArray[np.float32], chars: list[str]) -> LineReading:
    """Greedy CTC decoding of a (frames × classes) probability matrix, keeping per character its frames' evidence."""
    best = probs.argmax(axis=1)
    runs: list[tuple[int, int, int]] = []  # (class, first frame, last frame) of each character read
    previous = 0
    for frame, k in enumerate(best.tolist()):
        if k != 0 and k == previous and runs:
            runs[-1] = (k, runs[-1][1], frame)
        elif k != 0:
            runs.append((k, frame, frame))
        previous = k
    readings = []
    first_frame_probs = []
    for k, start, end in runs:
        frames = probs[start: end + 1]
        first_frame_probs.append(float(frames[0, k]))
        peak = frames.max(axis=0)
        order = np.argsort(-peak)[: TOP_K + 2]
        alternatives = tuple((chars[j], round(float(peak[j]), 4)) for j in order.tolist()
                             if j not in (0, k) and peak[j] >= MIN_ALTERNATIVE)[:TOP_K]
        readings.append(CharReading(chars[k], round(float(peak[k]), 4), alternatives, (start, end)))
    text = "".join(r.char for r in readings)
    confidence = float(np.mean(first_frame_probs)) if first_frame_probs else 0.0
    return LineReading(text, confidence, tuple(readings))
