"""Glyphs as strokes, the way a hand writes them: Chinese characters from real stroke data, digits and punctuation
from small polylines drawn here.

    glyph("铁")   # Glyph(advance=1.0, strokes=((( 0.21, 0.21), …), …))   ← hanzi-writer-data medians
    glyph("7")    # Glyph(advance=0.55, strokes=(((0.05, 0.25), (0.95, 0.25), (0.45, 0.95)),))

Coordinates are in em: x to the right, y down, the character cell from (0, 0) to (advance, 1), so a note's writer
(`bench.devsets.scribe`) scales, slants and jitters every glyph the same way.

Chinese characters come from the `hanzi-writer-data` npm package (Make Me a Hanzi's data): for each character the
medians of its strokes, in stroke order, in a 1024-unit box whose y axis points up with the top at 900. It is
installed by the repo's own files (`npm ci --prefix bench/devsets/handwriting`, done by `make notes-devset` and
`make test`). It has no digits, Latin letters or punctuation: those are defined below, as a finger writes them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HANDWRITING = Path(__file__).resolve().parent / "handwriting"
DATA = HANDWRITING / "node_modules" / "hanzi-writer-data"
INSTALL_HINT = ("the stroke data is not installed: `make notes-devset` (or "
                "`npm ci --prefix bench/devsets/handwriting`) installs the hanzi-writer-data package")
_BOX = 1024.0
_TOP = 900.0  # hanzi-writer-data's y of the box's top edge (the box runs from -124 to 900)

Point = tuple[float, float]
Stroke = tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Glyph:
    advance: float  # width of the character's cell, in em
    strokes: tuple[Stroke, ...]  # in writing order; each a polyline through the stroke's middle


def _box(points: list[Point], x0: float, y0: float, w: float, h: float) -> Stroke:
    """Points given in a unit box, placed in the cell's (x0, y0, w, h)."""
    return tuple((round(x0 + x * w, 4), round(y0 + y * h, 4)) for x, y in points)


def _oval(cx: float, cy: float, rx: float, ry: float, start_deg: float, turn_deg: float, n: int) -> list[Point]:
    return [(cx + rx * math.cos(math.radians(start_deg + turn_deg * i / (n - 1))),
             cy + ry * math.sin(math.radians(start_deg + turn_deg * i / (n - 1)))) for i in range(n)]


# Digits in a unit box (y down), one or two strokes each, as they are written with a finger: the 0 drawn
# anticlockwise from the top, the 4 as an open 4 in two strokes, the 8 as one looping stroke.
_DIGITS: dict[str, list[list[Point]]] = {
    "0": [_oval(0.5, 0.5, 0.42, 0.5, -100, -350, 15)],
    "1": [[(0.3, 0.18), (0.55, 0.0), (0.55, 1.0)]],
    "2": [[(0.1, 0.25), (0.25, 0.05), (0.55, 0.0), (0.85, 0.15), (0.85, 0.4), (0.5, 0.7), (0.05, 1.0), (0.95, 0.98)]],
    "3": [[(0.1, 0.1), (0.4, 0.0), (0.8, 0.1), (0.8, 0.33), (0.45, 0.47), (0.85, 0.6), (0.9, 0.85), (0.6, 1.0),
           (0.1, 0.92)]],
    "4": [[(0.62, 0.0), (0.05, 0.68), (0.95, 0.68)], [(0.68, 0.3), (0.68, 1.0)]],
    "5": [[(0.85, 0.0), (0.22, 0.0)], [(0.22, 0.0), (0.16, 0.45), (0.5, 0.38), (0.85, 0.55), (0.88, 0.8),
                                       (0.6, 1.0), (0.1, 0.92)]],
    "6": [[(0.8, 0.05), (0.45, 0.1), (0.15, 0.45), (0.1, 0.75), (0.3, 1.0), (0.7, 0.98), (0.88, 0.75), (0.75, 0.52),
           (0.4, 0.5), (0.12, 0.7)]],
    "7": [[(0.05, 0.0), (0.95, 0.0), (0.45, 1.0)]],
    "8": [[(0.75, 0.1), (0.5, 0.0), (0.2, 0.1), (0.2, 0.33), (0.5, 0.5), (0.85, 0.7), (0.8, 0.95), (0.5, 1.0),
           (0.18, 0.92), (0.15, 0.7), (0.5, 0.5), (0.8, 0.32), (0.78, 0.1), (0.55, 0.0)]],
    "9": [[(0.85, 0.22), (0.6, 0.45), (0.25, 0.45), (0.1, 0.25), (0.3, 0.02), (0.7, 0.0), (0.87, 0.2), (0.85, 0.6),
           (0.7, 1.0)]],
}
# A digit's cell: advance, and the box it is written in (x0, y0, w, h); digits stand on the line as tall as
# about three quarters of a Chinese character, as in most people's handwriting.
_DIGIT_CELL = (0.55, (0.06, 0.24, 0.43, 0.7))
# Punctuation and marks: advance, then strokes in em (already placed in the cell).
_MARKS: dict[str, tuple[float, list[list[Point]]]] = {
    "/": (0.42, [[(0.36, 0.2), (0.06, 0.96)]]),
    "-": (0.45, [[(0.06, 0.6), (0.39, 0.58)]]),
    ".": (0.24, [[(0.1, 0.9), (0.13, 0.93)]]),
    ",": (0.26, [[(0.14, 0.86), (0.13, 0.95), (0.06, 1.04)]]),
    "，": (0.55, [[(0.16, 0.8), (0.17, 0.9), (0.08, 1.0)]]),  # a full-width comma: a wider cell, low and left
    ":": (0.26, [[(0.1, 0.5), (0.13, 0.53)], [(0.1, 0.88), (0.13, 0.91)]]),
    "：": (0.5, [[(0.18, 0.45), (0.21, 0.48)], [(0.18, 0.85), (0.21, 0.88)]]),
}
SPACE_ADVANCE = 0.5


@cache
def data_version() -> str:
    """hanzi-writer-data's version (part of every image's recipe: other data draws other strokes)."""
    package = DATA / "package.json"
    if not package.is_file():
        raise FileNotFoundError(INSTALL_HINT)
    return str(json.loads(package.read_text(encoding="utf-8"))["version"])


@cache
def glyph(char: str) -> Glyph:
    """The strokes of one character; KeyError for a character nobody defined (Latin letters are not needed by
    the notes and are not drawn)."""
    if char in _DIGITS:
        advance, (x0, y0, w, h) = _DIGIT_CELL
        return Glyph(advance, tuple(_box(s, x0, y0, w, h) for s in _DIGITS[char]))
    if char in _MARKS:
        advance, marks = _MARKS[char]
        return Glyph(advance, tuple(tuple(p for p in s) for s in marks))
    if char == " ":
        return Glyph(SPACE_ADVANCE, ())
    data_version()  # a clear message when the package is missing
    path = DATA / f"{char}.json"
    if not path.is_file():
        raise KeyError(f"no strokes for {char!r}: not in hanzi-writer-data and not defined in {__name__}")
    medians = json.loads(path.read_text(encoding="utf-8"))["medians"]
    strokes = tuple(tuple((round(x / _BOX, 4), round((_TOP - y) / _BOX, 4)) for x, y in median)
                    for median in medians)
    return Glyph(1.0, strokes)


def has_glyph(char: str) -> bool:
    try:
        glyph(char)
    except KeyError:
        return False
    return True
