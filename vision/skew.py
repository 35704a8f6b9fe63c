"""How far the writing is turned, judged on the writing alone, and only when the evidence is clear.

A projection profile over every dark pixel (the first version) follows whatever is largest: a table around the
sheet, the sheet's edge, a shadow. It turned writing that was level to within 2° by 11.5°, and others by 20°.
Here only character-sized marks count (a local threshold, then connected components no larger than a quarter of
the image: sheet edges, rules, grid lines and table areas are longer than that), and a turn is applied only
when it makes the rows of ink clearly sharper than leaving the image as it is.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from vision.images import Image

MAX_SKEW_DEG = 20.0
WORK_SIDE = 600  # judged on a copy this large
MIN_INK_PX = 50  # fewer marks than this: nothing to judge
MAX_MARK_SHARE = 1 / 4  # a mark wider or taller than this share of the image is not a character
MIN_GAIN = 1.05  # the turned profile's variance over the level one's, at least: below it, leave the image level


def skew_angle(grey: Image) -> float:
    """Degrees to turn `grey` (dark ink on light) counter-clockwise to level its lines; 0 when unsure."""
    mask = text_marks(grey)
    ys, xs = np.nonzero(mask)
    if len(xs) < MIN_INK_PX:
        return 0.0
    h, w = mask.shape[:2]
    x = xs.astype(np.float64) - w / 2
    y = ys.astype(np.float64) - h / 2
    half = int(np.hypot(w, h) / 2) + 1

    def score(angle: float) -> float:
        # The row profile of the marks turned by `angle` (as cv2.getRotationMatrix2D turns them), from the
        # marks' coordinates: the same profile as rotating the image, at a fraction of the cost.
        a = np.radians(angle)
        rows = -np.sin(a) * x + np.cos(a) * y + half
        low = np.floor(rows).astype(np.int64)
        share = rows - low  # each mark split between its two nearest rows, as the image's interpolation does
        size = 2 * half + 2
        profile = np.bincount(low, 1.0 - share, size) + np.bincount(low + 1, share, size)
        # The variance over the rows of the turned image, whose canvas grows with the angle: the empty rows it
        # gains weigh against a turn, so that a large one must be clearly sharper to win (conservative).
        rows_in_canvas = abs(h * np.cos(a)) + abs(w * np.sin(a))
        return float((profile**2).sum() / rows_in_canvas - (profile.sum() / rows_in_canvas) ** 2)

    coarse = max((float(a) for a in np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 1.0)), key=score)
    low, high = max(-MAX_SKEW_DEG, coarse - 1.0), min(MAX_SKEW_DEG, coarse + 1.0)
    fine = max((float(a) for a in np.arange(low, high + 0.01, 0.25)), key=score)
    level = score(0.0)
    if level <= 0.0 or score(fine) < MIN_GAIN * level:
        return 0.0
    return fine


def text_marks(grey: Image) -> Image:
    """A mask of character-sized dark marks on a small copy of `grey` (255 = ink)."""
    scale = min(1.0, WORK_SIDE / max(grey.shape[:2]))
    small = np.asarray(cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    h, w = small.shape[:2]
    block = max(15, (min(h, w) // 10) | 1)  # odd, several strokes wide: the threshold follows uneven light
    mask = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = ((stats[:, cv2.CC_STAT_AREA] >= 4)
            & (stats[:, cv2.CC_STAT_WIDTH] <= MAX_MARK_SHARE * w)
            & (stats[:, cv2.CC_STAT_HEIGHT] <= MAX_MARK_SHARE * h))
    keep[0] = False  # the background label
    return np.asarray(np.where(keep[labels], 255, 0), dtype=np.uint8)


def rotate(grey: Image, angle: float, fill: int | None = None) -> tuple[Image, npt.NDArray[np.float64]]:
    """Rotate about the centre, growing the canvas so no corner is cut; new area gets the background."""
    h, w = grey.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    value = int(np.median(grey)) if fill is None else fill
    rotated = cv2.warpAffine(grey, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=(value,))
    return np.asarray(rotated, dtype=np.uint8), np.vstack([matrix, [0.0, 0.0, 1.0]])
