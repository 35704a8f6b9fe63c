"""Make a tablet screenshot or phone photo of a handwritten note easy for the text detector.

Raw PaddleOCR misses whole lines on these images: text that touches the frame, tilted lines, white-on-black
"dark mode" notes and faint coloured ink. Each step below fixes one of those and is a no-op when not needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from vision.images import Image
from vision.polarity import Polarity, judge_polarity
from vision.skew import rotate, skew_angle

__all__ = ["Image", "Prepared", "prepare"]

MIN_SKEW_DEG = 1.0
MAX_GAIN = 4.0  # contrast stretched at most this much: beyond it, what is stretched is mostly noise
TARGET_TEXT_PX = 36  # ink height the detector and recogniser like best
MIN_TEXT_PX = 22  # below this, text is upscaled
MAX_UPSCALE = 3.0
MAX_SIDE = 2000  # never upscale past this (latency)


@dataclass(slots=True)
class Prepared:
    """The image to read and what was done to it (logged, and shown in the vision result)."""

    image: Image
    steps: list[str] = field(default_factory=list)
    # False when the writing's polarity was not clear-cut: the caller may read the other one too and keep the better.
    polarity_sure: bool = True
    # original pixel → prepared pixel (homogeneous 3x3); `to_original` maps boxes back for the client.
    matrix: npt.NDArray[np.float64] = field(default_factory=lambda: np.eye(3))

    def then(self, step: npt.NDArray[np.float64]) -> None:
        self.matrix = step @ self.matrix

    def to_original(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        inverse = np.linalg.inv(self.matrix)
        homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ inverse.T
        return np.asarray(homogeneous[:, :2] / homogeneous[:, 2:3], dtype=np.float64)


def prepare(image: Image, polarity: Polarity | None = None) -> Prepared:
    """BGR in, BGR out: inversion, note-area warp, contrast normalisation, padding, deskew, upscale.
    `polarity` None judges it (`vision.polarity`); given, it is taken as the writing's."""
    out = Prepared(image)
    if polarity is None:
        judged = judge_polarity(image)
        polarity, out.polarity_sure = judged.polarity, judged.sure
    grey = _ink_grey(image, polarity)
    if polarity == "light-on-dark":
        grey = np.asarray(cv2.bitwise_not(grey), dtype=np.uint8)
        out.steps.append("invert")
    note = _note_area(grey)
    if note is not None:
        grey, warp = note
        out.then(warp)
        out.steps.append("perspective")
    grey = _normalise(grey)
    out.steps.append("normalise")
    angle = skew_angle(grey)
    if abs(angle) >= MIN_SKEW_DEG:
        grey, turn = rotate(grey, angle)
        out.then(turn)
        out.steps.append(f"deskew:{angle:+.1f}")
    # Pad after the rotation: padding first leaves a tilted paper edge that the detector merges with text.
    grey, margin = _pad(grey)
    out.then(np.array([[1.0, 0, margin], [0, 1.0, margin], [0, 0, 1.0]]))
    scale = _upscale_factor(grey)
    if scale > 1.0:
        big = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        grey = np.asarray(big, dtype=np.uint8)
        out.then(np.diag([scale, scale, 1.0]))
        out.steps.append(f"upscale:{scale:.2f}")
    out.image = np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    return out


def _ink_grey(image: Image, polarity: Polarity) -> Image:
    """Grey where coloured ink stays dark: the per-pixel minimum channel (red or blue ink on cream paper
    keeps its contrast, which a luminance conversion halves). Light ink on a dark background: the maximum."""
    if image.ndim == 2:
        return image
    if polarity == "light-on-dark":
        return np.asarray(image.max(axis=2), dtype=np.uint8)
    return np.asarray(image.min(axis=2), dtype=np.uint8)


def _normalise(grey: Image) -> Image:
    """Stretch the 1st..99th percentile towards the full range, paper staying white, by at most MAX_GAIN: on a
    clean screen with a few thin strokes the 1st percentile is still paper, and stretching its sensor noise to
    full range made speckles the detector took for hundreds of characters. No local equalisation (CLAHE, used
    before): on dim paper it raised the grain and noise to the level of thin strokes, and the detector copes with a
    gradient of light across the photo (measured on the notes dev set: fewer characters misread without it)."""
    lo, hi = np.percentile(grey, (1, 99))
    if hi - lo < 8:
        return grey  # blank or nearly blank: nothing to stretch
    gain = min(255.0 / (hi - lo), MAX_GAIN)
    stretched = np.clip(255.0 - (float(hi) - grey.astype(np.float32)) * gain, 0, 255)
    return np.asarray(stretched, dtype=np.uint8)


def _pad(grey: Image) -> tuple[Image, int]:
    """A paper-coloured margin: the detector misses lines that touch the frame."""
    margin = max(16, int(0.12 * min(grey.shape[:2])))
    background = int(np.median(grey))
    padded = cv2.copyMakeBorder(grey, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=(background,))
    return np.asarray(padded, dtype=np.uint8), margin


def _ink_mask(grey: Image) -> Image:
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return np.asarray(mask, dtype=np.uint8)


def _upscale_factor(grey: Image) -> float:
    """Median ink height of character-sized blobs; small handwriting is upscaled towards TARGET_TEXT_PX."""
    mask = _ink_mask(grey)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    heights = [int(stats[i, cv2.CC_STAT_HEIGHT]) for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= 12]
    if len(heights) < 3:
        return 1.0
    text_px = float(np.median(heights))
    if text_px >= MIN_TEXT_PX:
        return 1.0
    scale = min(MAX_UPSCALE, TARGET_TEXT_PX / max(text_px, 1.0), MAX_SIDE / max(grey.shape[:2]))
    return float(max(1.0, scale))


def _note_area(grey: Image) -> tuple[Image, npt.NDArray[np.float64]] | None:
    """A photo of a note lying on a desk: warp the largest clear quadrilateral (the paper) to a flat
    rectangle. Only when it covers 20-95 % of the frame, so crops and screenshots pass untouched."""
    h, w = grey.shape[:2]
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    edges = cv2.Canny(blurred, 50, 150)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    best: npt.NDArray[np.float32] | None = None
    best_area = 0.0
    for contour in contours:
        area = float(cv2.contourArea(contour))
        if not (0.2 * h * w <= area <= 0.95 * h * w) or area <= best_area:
            continue
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            best, best_area = approx.reshape(4, 2).astype(np.float32), area
    if best is None:
        return None
    src = _order_corners(best)
    width = int(max(np.linalg.norm(src[1] - src[0]), np.linalg.norm(src[2] - src[3])))
    height = int(max(np.linalg.norm(src[3] - src[0]), np.linalg.norm(src[2] - src[1])))
    if width < 32 or height < 32:
        return None
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(grey, matrix, (width, height))
    return np.asarray(warped, dtype=np.uint8), np.asarray(matrix, dtype=np.float64)


def _order_corners(pts: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Top-left, top-right, bottom-right, bottom-left."""
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)
