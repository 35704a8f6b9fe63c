"""Handwritten-note accuracy on the generated notes dev set: every photo through the real vision service (decode,
preprocess, PaddleOCR, correction) and the assistant's one reading of its text, scored per field and per note,
with the notes that are silently wrong (a field wrong and not flagged for checking).

    .venv/bin/python -m bench.notes_accuracy                 # the whole set (200 notes, a few minutes)
    .venv/bin/python -m bench.notes_accuracy --limit 20      # an even spread of 20 notes, while developing
    .venv/bin/python -m bench.notes_accuracy --set variant=small --out var/devsets/notes-small.jsonl

The set (bench.devsets.notes, .note_images) is made on first use and cached under var/devsets/notes/ (its stroke
data needs `make notes-devset` once). A photo is read as the tablet's turn reads it (`assistant.pipeline.image`):
`VisionService.read_sync`, then `MessageReader.read(text, site="FZ", intent="create_sales_order")` and its fields
with the OCR's character confidences. Any `VisionSettings` field can be overridden with --set. `run()` returns a
typed `NotesReport` for other callers (a CLI, a test). The figures are printed with the CPU: ONNX Runtime reads a
little differently on another CPU class. Nobody tunes the product to this set, and nor to the shared fixtures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from assistant.language.fields import CharConfidence
from assistant.language.reading import MessageReader
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from bench.devsets.note_images import ROOT, NoteImage, build
from bench.devsets.note_scoring import FIELDS, NoteScore, score_note
from bench.devsets.notes import COUNT, DATE_EXAMPLES, SEED, SHOP, TODAY
from bench.machine import cpu
from vision.service import VisionService
from vision.settings import VisionSettings

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "var" / "devsets" / "notes-results.jsonl"
PROGRESS_EVERY = 20


def models_dir() -> Path:
    """Where `make setup` lays out the OCR models (the app's FRONTLINE_MODELS_DIR when set, as the server reads)."""
    return Path(os.environ.get("FRONTLINE_MODELS_DIR", REPO / "var" / "models")) / "ocr"


@dataclass(frozen=True, slots=True)
class NoteResult:
    image: NoteImage
    text: str  # what the OCR read, corrected: the turn text
    raw: str  # as recognised
    steps: tuple[str, ...]  # what preprocessing did ("invert", "deskew:+3.0", …): a miss often starts there
    ocr_s: float
    score: NoteScore  # the reading of the photo
    written: NoteScore  # the reading of the note's own text, as if OCR were perfect (sure characters)

    def to_json(self) -> dict[str, Any]:
        case, style = self.image.case, self.image.style
        return {"id": case.id, "lines": list(case.lines), "read": self.text, "raw": self.raw,
                "steps": list(self.steps),
                "ocr_s": round(self.ocr_s, 3), "right": self.score.right, "silently_wrong": self.score.silently_wrong,
                "written_right": self.written.right,
                "fields": {n: {"outcome": f.outcome, "read": f.read, "expected": f.expected, "text": f.text,
                               "confidence": f.confidence} for n, f in self.score.fields.items()},
                "form": {"date": case.form.date_format, "separator": case.form.separator, "order": case.form.order,
                         "goods": case.form.goods, "amount": case.form.amount, "numerals": case.form.numerals,
                         "lines": case.form.lines},
                "style": {"paper": style.photo.paper, "pen": style.pen.kind, "ink": style.ink_name,
                          "size": list(style.photo.size), "blur": style.photo.blur, "jpeg": style.photo.jpeg,
                          "tilt": style.photo.tilt, "turn": style.photo.turn, "shadow": style.photo.shadow}}


@dataclass(frozen=True, slots=True)
class Tally:
    notes: int
    right: int
    silently_wrong: int
    fields: dict[str, tuple[int, int, int]]  # field → (right, flagged, silent)

    @classmethod
    def of(cls, scores: Sequence[NoteScore]) -> Tally:
        fields = {}
        for name in FIELDS:
            outcomes = [s.fields[name].outcome for s in scores]
            fields[name] = (outcomes.count("right"), outcomes.count("flagged"), outcomes.count("silent"))
        return cls(len(scores), sum(s.right for s in scores), sum(s.silently_wrong for s in scores), fields)


@dataclass(frozen=True, slots=True)
class NotesReport:
    cpu: str
    settings: VisionSettings
    results: tuple[NoteResult, ...]
    wall_s: float

    @property
    def total(self) -> Tally:
        return Tally.of([r.score for r in self.results])

    @property
    def as_written(self) -> Tally:
        return Tally.of([r.written for r in self.results])

    def by(self, key: Callable[[NoteResult], str]) -> dict[str, Tally]:
        groups: dict[str, list[NoteScore]] = {}
        for r in self.results:
            groups.setdefault(key(r), []).append(r.score)
        return {k: Tally.of(v) for k, v in sorted(groups.items())}

    def markdown(self) -> str:
        """The tables of the run: all notes, then per paper, pen, date format, separator and number of lines."""
        date_key: Callable[[NoteResult], str] = lambda r: r.image.case.form.date_format  # noqa: E731
        parts = [_table("set", {"all notes": self.total, "as written (no OCR)": self.as_written})]
        groups: list[tuple[str, Callable[[NoteResult], str]]] = [
            ("paper", lambda r: r.image.style.photo.paper), ("pen", lambda r: r.image.style.pen.kind),
            ("date format", lambda r: f"{date_key(r)} ({DATE_EXAMPLES[date_key(r)]})"),
            ("separator", lambda r: r.image.case.form.separator),
            ("lines", lambda r: str(r.image.case.form.lines)),
            ("numerals", lambda r: r.image.case.form.numerals),
            ("preprocessing", lambda r: "inverted as dark mode" if "invert" in r.steps else "not inverted"),
        ]
        parts += [_table(title, self.by(key)) for title, key in groups]
        return "\n\n".join(parts)


    def misses(self) -> list[str]:
        """One line per note not read exactly right: what was written, what was read, and each wrong field."""
        out = []
        for r in self.results:
            if r.score.right:
                continue
            style = r.image.style
            inverted = ", inverted" if "invert" in r.steps else ""
            out.append(f"{r.image.id} [{style.photo.paper}, {style.pen.kind}{inverted}]"
                       f" {' / '.join(r.image.case.lines)!r} -> {r.text!r}")
            for name, f in r.score.fields.items():
                if f.outcome != "right":
                    out.append(f"    {name} {f.outcome}: read {f.read!r} from {f.text!r} (confidence {f.confidence}), "
                               f"expected {f.expected!r}")
        return out


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f} %)" if n else "—"


def _table(title: str, rows: dict[str, Tally]) -> str:
    head = [title, "notes", "whole note right", *FIELDS, "silently wrong"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, t in rows.items():
        cells = [name, str(t.notes), _pct(t.right, t.notes)]
        cells += [_pct(t.fields[f][0], t.notes) for f in FIELDS]
        cells.append(_pct(t.silently_wrong, t.notes))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def spread(images: Sequence[NoteImage], limit: int | None) -> list[NoteImage]:
    """At most `limit` notes taken evenly over the set, so a short run still sees every kind of note."""
    if limit is None or limit >= len(images):
        return list(images)
    return [images[i * len(images) // limit] for i in range(limit)]


def run(limit: int | None = None, *, settings: VisionSettings | None = None, root: Path = ROOT, seed: int = SEED,
        count: int = COUNT, out: Path | None = RESULTS, echo: Callable[[str], None] = print) -> NotesReport:
    """Make the set where missing, read `limit` notes of it (all by default), score them, and write one JSON line
    per note to `out`."""
    started = time.perf_counter()
    settings = settings or VisionSettings()
    master = MasterData(load_world())
    world = master.world
    reader = MessageReader(master, today=lambda: TODAY)
    images = spread(build(world, root, seed, count, echo), limit)
    service = VisionService(master.vocabulary, models_dir(), settings=settings)
    service.load()
    results: list[NoteResult] = []
    sink = None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        sink = out.open("w", encoding="utf-8")
    try:
        for n, image in enumerate(images, 1):
            t0 = time.perf_counter()
            seen = service.read_sync(image.path.read_bytes(), "image/png")
            ocr_s = time.perf_counter() - t0
            reading = reader.read(seen.text_for_nlu, site=SHOP, intent="create_sales_order")
            fields = reader.fields(reading, CharConfidence(seen.char_confidence, seen.char_corrected))
            written = reader.read(image.case.text, site=SHOP, intent="create_sales_order")
            result = NoteResult(
                image, seen.text_for_nlu, seen.raw_text, seen.steps, ocr_s,
                score_note(reading, fields, image.case.expect, world),
                score_note(written, reader.fields(written, CharConfidence.sure(written.text)), image.case.expect,
                           world))
            results.append(result)
            if sink:
                sink.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
                sink.flush()
            if n % PROGRESS_EVERY == 0 or n == len(images):
                right = sum(r.score.right for r in results)
                echo(f"  notes: {n}/{len(images)} read, {right} exactly right so far, "
                     f"{time.perf_counter() - started:.0f} s")
    finally:
        if sink:
            sink.close()
    return NotesReport(cpu(), settings, tuple(results), time.perf_counter() - started)


def settings_from(overrides: Sequence[str]) -> VisionSettings:
    values: dict[str, Any] = {}
    for override in overrides:
        name, sep, raw = override.partition("=")
        if not sep:
            raise SystemExit(f"--set {override!r}: expected name=value")
        try:
            values[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[name.strip()] = raw
    return VisionSettings.model_validate(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="at most this many notes, spread evenly over the set")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="any VisionSettings field, e.g. --set variant=small (repeatable)")
    parser.add_argument("--count", type=int, default=COUNT, help="notes in the set")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=RESULTS, help="one JSON line per note")
    parser.add_argument("--misses", action="store_true", help="list every note not read exactly right")
    parser.add_argument("--verbose", action="store_true", help="keep the vision service's own log lines")
    args = parser.parse_args()
    if not args.verbose:  # one log line per photo would bury the progress
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    settings = settings_from(args.set)
    print(f"CPU: {cpu()}")
    print(f"settings: OCR detection {settings.variant}, recognition {settings.recogniser} (second opinion "
          f"{settings.second_opinion}), {settings.threads} threads, lines below {settings.min_line_confidence} dropped")
    report = run(args.limit, settings=settings, seed=args.seed, count=args.count, out=args.out)
    t = report.total
    if args.misses:
        print()
        print("\n".join(report.misses()))
    print()
    print(report.markdown())
    print()
    print(f"notes exactly right: {_pct(t.right, t.notes)}; silently wrong: {_pct(t.silently_wrong, t.notes)}; "
          f"read as written (no OCR): {_pct(report.as_written.right, t.notes)}")
    ocr = sorted(r.ocr_s for r in report.results)
    print(f"OCR per photo: median {ocr[len(ocr) // 2]:.2f} s, max {ocr[-1]:.2f} s; "
          f"wall time {report.wall_s / 60:.1f} min; results in {args.out}")


if __name__ == "__main__":
    main()
