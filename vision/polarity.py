"""Is the writing dark on light (paper, a light screen) or light on dark (a dark-mode screenshot)?

The brightness of the whole photo does not say: a light sheet on a dark table, kraft paper in dim light and a
dark-mode screen all have a dark median. What does say is the ink itself. Ink is thin: against the local
background (a median over a window a few strokes wide) its pixels stand out on one side only, darker on paper,
lighter in dark mode. A straight edge between sheet and table stands out on neither side (the median follows it),
and paper grain and sensor noise stand out on both sides alike. So the balance of strong light and strong dark
deviations is the polarity, and how lopsided it is says how sure that is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from vision.images import Image

WORK_SIDE = 800  # judged on a copy this large: strokes stay a few pixels wide, the median stays cheap
WINDOW = 31  # local-background window on that copy (about 4 % of its side: wider than strokes, narrower than a sheet)
STRONG = 20  # grey levels off the local background that count as ink, not grain or noise
SURE_RATIO = 2.0  # one side's ink this many times the other's: decided; closer than that the OCR is asked

Polarity = Literal["dark-on-light", "light-on-dark"]


@dataclass(frozen=True, slots=True)
class PolarityJudgement:
    polarity: Polarity
    sure: bool
    ratio: float  # light deviations over dark ones (0: only dark ink; large: only light ink)


def judge_polarity(image: Image) -> PolarityJudgement:
    """The writing's polarity of a BGR or grey image, and whether it is clear-cut."""
    grey = image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    scale = min(1.0, WORK_SIDE / max(grey.shape[:2]))
    small = np.asarray(cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    window = min(WINDOW, (min(small.shape[:2]) // 2) * 2 - 1)
    if window < 3:
        return PolarityJudgement("dark-on-light", False, 1.0)
    background = cv2.medianBlur(small, window)
    deviation = small.astype(np.int16) - background.astype(np.int16)
    dark = float(np.clip(-deviation - STRONG, 0, None).sum())
    light = float(np.clip(deviation - STRONG, 0, None).sum())
    if dark == 0.0 and light == 0.0:  # blank: nothing to judge, nothing to invert
        return PolarityJudgement("dark-on-light", False, 1.0)
    ratio = light / max(dark, 1.0)
    polarity: Polarity = "light-on-dark" if ratio > 1.0 else "dark-on-light"
    sure = ratio >= SURE_RATIO or ratio <= 1.0 / SURE_RATIO
    return PolarityJudgement(polarity, sure, round(ratio, 3))
