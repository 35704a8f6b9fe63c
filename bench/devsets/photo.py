"""Ink on a page → a photo of it: the paper, then what a tablet camera does.

    rgb = photograph(ink, pen, photo, rng)   # uint8 RGB, photo.size[1] rows × photo.size[0] columns

Papers: plain white, ruled (lines under the writing), grid (squares), kraft (brown, fibrous), a yellow sticky
note, and a screen (the note written on the tablet itself and photographed or shot flat). The page is placed in
the frame with a margin around the writing (so the crop is loose or tight), turned and tilted in perspective on a
table, lit by a gradient with an optional soft shadow, blurred a little, given sensor noise and compressed as a
JPEG of some quality. The writing always stays inside the frame: a note cut off is not a reading problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from bench.devsets.scribe import Ink, Pen

PaperKind = Literal["white", "ruled", "grid", "kraft", "yellow", "screen"]
PAPERS: tuple[PaperKind, ...] = ("white", "ruled", "grid", "kraft", "yellow", "screen")
RGB = tuple[int, int, int]
Canvas = npt.NDArray[np.float32]  # rows × columns × 3, 0..255
_PAPER_RGB: dict[PaperKind, RGB] = {"white": (246, 245, 240), "ruled": (247, 247, 242), "grid": (246, 247, 244),
                                    "kraft": (196, 160, 112), "yellow": (250, 238, 150), "screen": (250, 251, 252)}


@dataclass(frozen=True, slots=True)
class Photo:
    paper: PaperKind
    rule_rgb: RGB  # the ruled or grid lines
    table_rgb: RGB  # what shows around the page
    size: tuple[int, int]  # width, height of the photo
    sheet_side: float  # paper beyond the writing on the left and right, as a share of the writing's page width
    sheet_aspect: float  # the sheet's height over its width, at least (a slip is wider than tall)
    sheet_top: float  # share of the added height that goes above the writing
    margin: float  # free frame around the writing, as a share of the frame's width
    turn: float  # degrees
    tilt: float  # perspective: the writing's corners moved by up to this share of its width
    light_angle: float  # degrees: where the light comes from
    light_low: float  # brightness at the dark side of the gradient (1: even light)
    shadow: float  # darkening in the shadow (0: none)
    blur: float  # Gaussian sigma, pixels
    noise: float  # sensor noise, standard deviation in levels
    jpeg: int  # quality the photo was compressed with


def photograph(ink: Ink, pen: Pen, photo: Photo, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    ink = _on_sheet(ink, photo)
    page = _paper(ink, photo, rng)
    coverage = (ink.alpha * pen.opacity)[:, :, None]
    page = page * (1 - coverage) + np.array(pen.ink, dtype=np.float32) * coverage
    frame = _place(page, ink, photo, rng)
    frame = _light(frame, photo, rng)
    if photo.blur > 0:
        frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), photo.blur), dtype=np.float32)
    frame = frame + rng.normal(0, photo.noise, frame.shape).astype(np.float32)
    out = np.clip(np.round(frame), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, photo.jpeg])
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    return np.ascontiguousarray(decoded[:, :, ::-1])


def _on_sheet(ink: Ink, photo: Photo) -> Ink:
    """The writing on a sheet of paper larger than it: blank paper added around, more below or above."""
    h, w = ink.alpha.shape
    side = round(photo.sheet_side * w)
    extra = max(0, round(photo.sheet_aspect * (w + 2 * side)) - h)
    top = round(extra * photo.sheet_top)
    alpha = np.pad(ink.alpha, ((top, extra - top), (side, side)))
    x0, y0, x1, y1 = ink.text_box
    box = (x0 + side, y0 + top, x1 + side, y1 + top)
    return Ink(alpha, tuple(b + top for b in ink.baselines), ink.line_height, box)


def _paper(ink: Ink, photo: Photo, rng: np.random.Generator) -> Canvas:
    h, w = ink.alpha.shape
    base = np.array(_PAPER_RGB[photo.paper], dtype=np.float32)
    page = np.broadcast_to(base, (h, w, 3)).copy()
    if photo.paper == "screen":
        return page  # a screen has no grain
    # Grain: fine noise plus faint blotches (paper is never one flat colour).
    grain = rng.normal(0, 2.5 if photo.paper != "kraft" else 6.0, (h, w)).astype(np.float32)
    blotch = cv2.GaussianBlur(rng.normal(0, 1, (h // 16 + 1, w // 16 + 1)).astype(np.float32), (0, 0), 2)
    blotch = cv2.resize(blotch, (w, h), interpolation=cv2.INTER_CUBIC) * (4.0 if photo.paper == "kraft" else 2.0)
    if photo.paper == "kraft":  # fibres: grain stretched along one direction
        grain = cv2.GaussianBlur(grain, (0, 0), sigmaX=3.0, sigmaY=0.6) * 2.5
    page += (grain + blotch)[:, :, None]
    rule = np.array(photo.rule_rgb, dtype=np.float32)
    if photo.paper == "ruled":
        # Lines under the writing, a little below each baseline, and on up and down the page at the same pitch.
        first = ink.baselines[0] + 0.08 * ink.line_height
        pitch = ink.line_height
        for y in _whole(np.arange(first % pitch, h, pitch)):
            cv2.line(page, (0, y), (w - 1, y), rule.tolist(), 2, cv2.LINE_AA)
    elif photo.paper == "grid":
        pitch = max(12.0, ink.line_height / 2)
        for x in _whole(np.arange(rng.uniform(0, pitch), w, pitch)):
            cv2.line(page, (x, 0), (x, h - 1), rule.tolist(), 1, cv2.LINE_AA)
        for y in _whole(np.arange(rng.uniform(0, pitch), h, pitch)):
            cv2.line(page, (0, y), (w - 1, y), rule.tolist(), 1, cv2.LINE_AA)
    return page


def _whole(values: npt.NDArray[np.floating[Any]]) -> list[int]:
    return [int(v) for v in np.round(values)]


def _place(page: Canvas, ink: Ink, photo: Photo, rng: np.random.Generator) -> Canvas:
    """The page seen by the camera: scaled so the writing fills the frame less the margin, turned, tilted."""
    width, height = photo.size
    x0, y0, x1, y1 = ink.text_box
    text = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    ph, pw = page.shape[:2]
    # The writing's corners are moved (a share of the writing's width in the frame) to tilt the page: moving the
    # page's own corners would bend the writing far more on a large sheet. The same moves on every try; only the
    # scale shrinks until the writing is inside the frame.
    moves = rng.uniform(-1, 1, (4, 2)) * photo.tilt
    scale = min((width - 2 * photo.margin * width) / (x1 - x0), (height - 2 * photo.margin * width) / (y1 - y0))
    for _ in range(30):
        matrix = _similarity(scale, photo.turn, ((x0 + x1) / 2, (y0 + y1) / 2), (width / 2, height / 2))
        seen = _apply(matrix, text) + moves * (x1 - x0) * scale
        homography = cv2.getPerspectiveTransform(text.astype(np.float32), seen.astype(np.float32))
        inside = (seen[:, 0].min() >= 0.01 * width and seen[:, 0].max() <= 0.99 * width
                  and seen[:, 1].min() >= 0.01 * height and seen[:, 1].max() <= 0.99 * height)
        if inside:
            break
        scale *= 0.93
    if photo.paper == "screen":  # the screen fills the frame: no table, the page's colour all round
        border = tuple(float(v) for v in _PAPER_RGB["screen"])
        return np.asarray(cv2.warpPerspective(page, homography, (width, height), flags=cv2.INTER_AREA,
                                              borderMode=cv2.BORDER_CONSTANT, borderValue=border), dtype=np.float32)
    table = np.broadcast_to(np.array(photo.table_rgb, dtype=np.float32), (height, width, 3)).copy()
    table += cv2.GaussianBlur(rng.normal(0, 6, (height, width)).astype(np.float32), (0, 0), 1.5)[:, :, None]
    warped = cv2.warpPerspective(page, homography, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((ph, pw), dtype=np.float32), homography, (width, height),
                               flags=cv2.INTER_LINEAR)[:, :, None]
    return np.asarray(warped * mask + table * (1 - mask), dtype=np.float32)


def _similarity(scale: float, turn_deg: float, centre: tuple[float, float],
                to: tuple[float, float]) -> npt.NDArray[np.float64]:
    a = math.radians(turn_deg)
    c, s = scale * math.cos(a), scale * math.sin(a)
    m = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    m[0, 2] = to[0] - (c * centre[0] - s * centre[1])
    m[1, 2] = to[1] - (s * centre[0] + c * centre[1])
    return m


def _apply(matrix: npt.NDArray[np.float64], points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    h = np.hstack([points, np.ones((len(points), 1))]) @ np.asarray(matrix, dtype=np.float64).T
    return np.asarray(h[:, :2] / h[:, 2:3], dtype=np.float64)


def _light(frame: Canvas, photo: Photo, rng: np.random.Generator) -> Canvas:
    """A brightness gradient across the frame from the light's side, and a soft shadow (a hand, the tablet)."""
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = math.radians(photo.light_angle)
    ramp = (xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1.0)
    light = photo.light_low + (1 - photo.light_low) * ramp
    if photo.shadow > 0:
        # A blurred ellipse coming in from one edge.
        shade = np.zeros((h, w), dtype=np.float32)
        side = int(rng.integers(4))
        cx, cy = [(rng.uniform(0, w), 0.0), (float(w), rng.uniform(0, h)), (rng.uniform(0, w), float(h)),
                  (0.0, rng.uniform(0, h))][side]
        axes = (int(rng.uniform(0.25, 0.6) * w), int(rng.uniform(0.2, 0.5) * h))
        cv2.ellipse(shade, (int(cx), int(cy)), axes, float(rng.uniform(0, 180)), 0, 360, (1.0,), -1)
        shade = np.asarray(cv2.GaussianBlur(shade, (0, 0), 0.06 * max(w, h)), dtype=np.float32)
        light = light * (1 - photo.shadow * shade)
    return np.asarray(frame * light[:, :, None], dtype=np.float32)
