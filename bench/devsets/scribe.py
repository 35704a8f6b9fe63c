"""A writer's hand: the lines of a note → ink on a page, from the characters' real strokes, with the writer's
jitter and the pen's width.

    ink = write(("刘芳 25.3.14", "买龙井茶3两"), hand, pen, rng)
    ink.alpha    # float32 coverage of the page (0 paper, 1 ink), ink.baselines, ink.text_box

No two characters come out the same: each point of a stroke moves a little (the finger's tremor), each stroke
as a whole (where it was put down), each character turns, grows or shrinks and sits higher or lower, the size and
spacing drift along the line, the baseline wobbles and the whole line may rise or fall; a slant leans every
character. The stroke medians are joined by Catmull-Rom curves, so corners round off as a finger rounds them,
and drawn with a round pen whose width follows its pressure and thins at the ends (a stylus more than a finger).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from bench.devsets.strokes import glyph

PenKind = Literal["finger", "stylus", "marker"]
Floats = npt.NDArray[np.float64]
_SUPERSAMPLE = 2  # strokes are drawn at twice the size and shrunk: smooth edges and widths below a pixel
_PAGE_MARGIN_EM = 1.2
_STEP_PX = 1.5  # distance between the points a stroke is drawn through


@dataclass(frozen=True, slots=True)
class Hand:
    """How one writer writes; lengths in em (a Chinese character's height), angles in degrees."""

    em_px: int  # a character's height on the page, in pixels
    slant: float  # lean: the top of a character moves right by this much of its height
    point_jitter: float  # tremor of each point
    stroke_jitter: float  # where each stroke is put down, off where it belongs
    char_turn: float  # standard deviation of a character's turn
    char_scale: float  # standard deviation of a character's size, relative
    char_lift: float  # standard deviation of a character's height above the line
    spacing: float  # gap between characters
    drift: float  # per character, the standard deviation of the size's and spacing's random walk
    wobble: float  # amplitude of the baseline's wave
    wobble_period: float  # its length, in characters
    line_turn: float  # the whole line rising (negative) or falling
    line_gap: float  # baseline to baseline
    indent: float  # where the second line starts, from the first's start
    squash: float  # a Chinese character's width relative to its height


@dataclass(frozen=True, slots=True)
class Pen:
    kind: PenKind
    width: float  # em
    taper: float  # 0..1: how much the ends of a stroke thin
    pressure: float  # relative variation of the width along a stroke
    ink: tuple[int, int, int]  # RGB
    opacity: float  # 0..1: a marker lets the paper through a little


@dataclass(frozen=True, slots=True)
class Ink:
    alpha: npt.NDArray[np.float32]  # page coverage, 0..1, rows × columns
    baselines: tuple[float, ...]  # each line's baseline on the page (y, before the line turns)
    line_height: float  # pixels between baselines
    text_box: tuple[float, float, float, float]  # x0, y0, x1, y1 of the ink on the page


def write(lines: Sequence[str], hand: Hand, pen: Pen, rng: np.random.Generator) -> Ink:
    em = float(hand.em_px)
    strokes: list[Floats] = []
    starts: list[float] = []
    for n, line in enumerate(lines):
        baseline = n * hand.line_gap * em
        x0 = hand.indent * em * rng.uniform(0.0, 1.0) if n else 0.0
        starts.append(baseline)
        strokes += _line_strokes(line, x0, baseline, hand, rng)
    everything = np.concatenate(strokes) if strokes else np.zeros((1, 2))
    low, high = everything.min(axis=0), everything.max(axis=0)
    margin = _PAGE_MARGIN_EM * em
    shift = margin - low
    width, height = (math.ceil(float(v)) for v in (high - low + 2 * margin))
    alpha = _draw([s + shift for s in strokes], (height, width), pen, em, rng)
    box = (float(margin), float(margin), float(high[0] - low[0] + margin), float(high[1] - low[1] + margin))
    return Ink(alpha, tuple(b + float(shift[1]) for b in starts), hand.line_gap * em, box)


def _line_strokes(line: str, x0: float, baseline: float, hand: Hand, rng: np.random.Generator) -> list[Floats]:
    """The strokes of one line in page pixels, each a dense smooth polyline."""
    em = float(hand.em_px)
    size_walk, space_walk = 0.0, 0.0
    phase = rng.uniform(0, 2 * math.pi)
    x = x0
    out: list[Floats] = []
    for i, char in enumerate(line):
        g = glyph(char)
        size_walk = float(np.clip(size_walk + rng.normal(0, hand.drift), -0.25, 0.25))
        space_walk = float(np.clip(space_walk + rng.normal(0, hand.drift), -0.15, 0.3))
        scale = em * math.exp(size_walk + rng.normal(0, hand.char_scale))
        wide = hand.squash if g.advance == 1.0 else 1.0  # only Chinese characters are narrowed or widened
        turn = math.radians(rng.normal(0, hand.char_turn))
        lift = rng.normal(0, hand.char_lift) * em + hand.wobble * em * math.sin(
            phase + 2 * math.pi * i / hand.wobble_period)
        top = baseline - scale + lift
        for stroke in g.strokes:
            points = np.array(stroke, dtype=np.float64)
            points[:, 0] *= wide
            points = _turn(points, turn, (0.5 * g.advance * wide, 0.5))
            points[:, 0] += hand.slant * (1.0 - points[:, 1])
            points = points * scale + np.array([x, top])
            points += rng.normal(0, hand.stroke_jitter * em, size=2)
            points += rng.normal(0, hand.point_jitter * em, size=points.shape)
            out.append(_smooth(points))
        x += (g.advance * wide + hand.spacing + space_walk) * scale
    line_turn = math.radians(hand.line_turn)
    return [_turn(s, line_turn, (x0, baseline)) for s in out]


def _turn(points: Floats, angle: float, centre: tuple[float, float]) -> Floats:
    c, s = math.cos(angle), math.sin(angle)
    shifted = points - np.array(centre)
    turned = shifted @ np.array([[c, s], [-s, c]])
    return np.asarray(turned + np.array(centre), dtype=np.float64)


def _smooth(points: Floats) -> Floats:
    """A Catmull-Rom curve through the points, sampled every _STEP_PX pixels (a dot stays a dot)."""
    if len(points) < 2:
        return points
    padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    out: list[Floats] = []
    for k in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[k - 1], padded[k], padded[k + 1], padded[k + 2]
        n = max(2, int(np.linalg.norm(p2 - p1) / _STEP_PX) + 1)
        t = np.linspace(0, 1, n, endpoint=k == len(padded) - 3)[:, None]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3))
    return np.vstack(out)


def _draw(strokes: Sequence[Floats], shape: tuple[int, int], pen: Pen, em: float,
          rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """The strokes' coverage: round segments whose width follows the pen's pressure and taper."""
    ss = _SUPERSAMPLE
    canvas = np.zeros((shape[0] * ss, shape[1] * ss), dtype=np.uint8)
    for stroke in strokes:
        n = len(stroke)
        t = np.linspace(0, 1, n)
        ends = np.minimum(1.0, np.minimum(t, 1 - t) / 0.18)  # 0 at the ends, 1 past the first and last 18 %
        freq, phase = rng.uniform(1.0, 3.0), rng.uniform(0, 2 * math.pi)
        width = pen.width * em * (1 + pen.pressure * np.sin(phase + 2 * math.pi * freq * t)) \
            * (1 - pen.taper * (1 - ends))
        pts = np.round(stroke * ss).astype(np.int32)
        for k in range(max(1, n - 1)):
            a, b = pts[k], pts[min(k + 1, n - 1)]
            thickness = max(1, round(float(width[k]) * ss))
            cv2.line(canvas, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), (255,), thickness, cv2.LINE_AA)
    small = cv2.resize(canvas, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.float32) / 255.0
