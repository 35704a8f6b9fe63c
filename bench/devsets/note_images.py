"""The notes dev set's photos: every generated note written by a varied hand with a varied pen on varied paper,
photographed, cached under var/devsets/notes/ (not committed; made again on demand, the same bytes every time).

    .venv/bin/python -m bench.devsets.note_images [--count 200] [--seed 20261201]   # or: make notes-devset

Per note, drawn from the seed and the note's id: the writer (size, slant, tremor, stroke and character jitter,
spacing and size drift, baseline wobble, line rise), the pen (a finger's thick round stroke, a thin stylus, a
marker; ink colour), the paper (white, ruled, grid, kraft, yellow sticky note, screen) and the photo (frame size,
crop margin, turn, perspective tilt, light gradient and shadow, blur, noise, JPEG quality). A photo's file name
carries a hash of its recipe (generator version, stroke data version, the note's lines, the style), so a change to
any of them makes that photo again and an unchanged one is never redone. manifest.json lists notes, styles and
files for a person to read.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image as PILImage

from assistant.world.loader import load_world
from assistant.world.schema import World
from bench.devsets.notes import COUNT, SEED, NoteCase, generate
from bench.devsets.photo import PAPERS, RGB, PaperKind, Photo, photograph
from bench.devsets.scribe import Hand, Pen, PenKind, write
from bench.devsets.strokes import data_version

ROOT = Path(__file__).resolve().parents[2] / "var" / "devsets" / "notes"
VERSION = 1  # bump when the way photos are made changes in a way the recipe does not show
PENS: tuple[PenKind, ...] = ("finger", "stylus", "marker")
_INKS: dict[str, RGB] = {"black": (22, 22, 28), "blue": (28, 52, 160), "navy": (20, 30, 88), "grey": (70, 70, 74),
                         "red": (168, 28, 30), "green": (20, 100, 50)}
_SIZES = ((1280, 960), (1024, 768), (1600, 1200), (1280, 720), (960, 1280), (1200, 900))
_SCREEN_SIZES = ((1280, 800), (1024, 768), (1600, 1000))
_TABLES: tuple[RGB, ...] = ((120, 85, 60), (90, 90, 95), (200, 200, 196), (60, 60, 64), (160, 120, 80))


@dataclass(frozen=True, slots=True)
class Style:
    hand: Hand
    pen: Pen
    ink_name: str
    photo: Photo


@dataclass(frozen=True, slots=True)
class NoteImage:
    case: NoteCase
    style: Style
    path: Path

    @property
    def id(self) -> str:
        return self.case.id


def plan(cases: Sequence[NoteCase], root: Path = ROOT, seed: int = SEED) -> tuple[NoteImage, ...]:
    """The photos of these notes: a style drawn per note from `seed` and its id, files named by recipe."""
    out = []
    for case in cases:
        style = draw_style(random.Random(f"{seed}:style:{case.id}"))
        digest = hashlib.sha256(_recipe(case, style, seed).encode()).hexdigest()[:10]
        out.append(NoteImage(case, style, root / "images" / f"{case.id}-{digest}.png"))
    return tuple(out)


def draw_style(rng: random.Random) -> Style:
    pen_kind: PenKind = rng.choice(PENS)
    paper: PaperKind = rng.choice(PAPERS)
    r = rng.uniform
    hand = Hand(em_px=rng.randint(56, 96), slant=round(r(-0.12, 0.28), 3), point_jitter=round(r(0.003, 0.018), 4),
                stroke_jitter=round(r(0.004, 0.03), 4), char_turn=round(r(0.0, 5.0), 2),
                char_scale=round(r(0.0, 0.09), 3), char_lift=round(r(0.0, 0.06), 3), spacing=round(r(0.0, 0.3), 3),
                drift=round(r(0.0, 0.03), 3), wobble=round(r(0.0, 0.12), 3), wobble_period=round(r(3.0, 10.0), 1),
                line_turn=round(r(-4.0, 3.0), 2), line_gap=round(r(1.3, 2.0), 2), indent=round(r(0.0, 1.5), 2),
                squash=round(r(0.82, 1.06), 3))
    inks = ["black", "blue", "navy", "grey"] + (["red", "green"] if paper != "kraft" else [])
    ink_name = rng.choice(inks)
    if pen_kind == "finger":
        pen = Pen("finger", round(r(0.065, 0.11), 3), round(r(0.0, 0.25), 2), round(r(0.0, 0.12), 2),
                  _INKS[ink_name], 1.0)
    elif pen_kind == "stylus":
        pen = Pen("stylus", round(r(0.022, 0.045), 3), round(r(0.3, 0.7), 2), round(r(0.05, 0.25), 2),
                  _INKS[ink_name], 1.0)
    else:
        pen = Pen("marker", round(r(0.09, 0.14), 3), 0.0, round(r(0.0, 0.06), 2), _INKS[ink_name],
                  round(r(0.75, 0.92), 2))
    sheet = (round(r(0.0, 0.12), 3), round(r(0.3, 0.75), 2), round(r(0.15, 0.85), 2))
    rule: RGB = rng.choice(((165, 195, 230), (190, 205, 190), (200, 200, 205), (150, 200, 215)))
    if paper == "screen":  # shot flat or nearly: no table, little tilt, even light
        photo = Photo(paper, rule, (0, 0, 0), rng.choice(_SCREEN_SIZES), *sheet, round(r(0.03, 0.15), 3),
                      round(r(-1.0, 1.0), 2), round(r(0.0, 0.01), 3), round(r(0, 360), 1), round(r(0.92, 1.0), 2),
                      0.0, round(r(0.0, 0.6), 2), round(r(0.5, 2.0), 2), rng.randint(70, 95))
    else:
        photo = Photo(paper, rule, rng.choice(_TABLES), rng.choice(_SIZES), *sheet, round(r(0.03, 0.22), 3),
                      round(r(-6.0, 6.0), 2), round(r(0.0, 0.06), 3), round(r(0, 360), 1), round(r(0.55, 1.0), 2),
                      round(rng.choice((0.0, 0.0, r(0.15, 0.45))), 2), round(r(0.0, 1.3), 2), round(r(1.0, 5.0), 2),
                      rng.randint(50, 95))
    return Style(hand, pen, ink_name, photo)


def render(image: NoteImage, seed: int = SEED) -> bytes:
    """The photo as PNG bytes (deterministic: the pixels from seeded generators, PNG written without metadata)."""
    rng = np.random.default_rng(_seed(seed, image.id))
    ink = write(image.case.lines, image.style.hand, image.style.pen, rng)
    rgb = photograph(ink, image.style.pen, image.style.photo, rng)
    buffer = io.BytesIO()
    PILImage.fromarray(rgb, "RGB").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def build(world: World | None = None, root: Path = ROOT, seed: int = SEED, count: int = COUNT,
          echo: Callable[[str], None] = print) -> tuple[NoteImage, ...]:
    """Every photo of the dev set on disk (made where missing), saying how far it got."""
    images = plan(generate(world or load_world(), seed, count), root, seed)
    make(images, seed, echo)
    _write_manifest(root, images)
    return images


def make(images: Sequence[NoteImage], seed: int = SEED, echo: Callable[[str], None] = print) -> None:
    """Render the photos whose files are missing."""
    cv2.setNumThreads(1)  # the machine is shared; one core draws fast enough
    missing = [i for i in images if not i.path.exists()]
    if missing:
        echo(f"notes dev set: rendering {len(missing)} of {len(images)} photos "
             f"(hanzi-writer-data {data_version()})")
    for done, image in enumerate(missing, 1):
        image.path.parent.mkdir(parents=True, exist_ok=True)
        partial = image.path.with_suffix(".part")
        partial.write_bytes(render(image, seed))
        partial.replace(image.path)  # an interrupted run never leaves half a photo under the final name
        if done % 20 == 0 or done == len(missing):
            echo(f"notes: {done}/{len(missing)}")


def _recipe(case: NoteCase, style: Style, seed: int) -> str:
    return json.dumps([VERSION, data_version(), seed, case.id, list(case.lines), asdict(style)],
                      ensure_ascii=False, sort_keys=True)


def _seed(seed: int, note_id: str) -> int:
    """A seed per photo that does not depend on Python's string hashing (randomised per process)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:ink:{note_id}".encode()).digest()[:8], "little")


def _write_manifest(root: Path, images: Sequence[NoteImage]) -> None:
    """Notes and photos for a person to read; photos of an older recipe are removed."""
    keep = {i.path.name for i in images}
    for old in (root / "images").glob("*.png"):
        if old.name not in keep:
            old.unlink()
    rows = [{**i.case.to_json(), "file": str(i.path.relative_to(root)), "style": asdict(i.style)} for i in images]
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=COUNT, help="notes in the set")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--root", type=Path, default=ROOT, help="where the photos are cached")
    args = parser.parse_args()
    images = build(root=args.root, seed=args.seed, count=args.count)
    print(f"notes dev set: {len(images)} photos in {args.root}")


if __name__ == "__main__":
    main()
