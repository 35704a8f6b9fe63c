"""Latency of the vision path on this machine (model load excluded):

    .venv/bin/python -m bench.vision_latency [--variant tiny|small] [--rounds 3]

note → OCR text with confidences → the assistant's reading and fields (the fixtures in tests/fixtures/notes), and
label photo → decoded code.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np

from assistant.language.fields import CharConfidence
from assistant.language.reading import MessageReader
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from tests.vision.synth import SPECS, photo, render
from vision.barcodes import decode_codes
from vision.imageio import decode_image
from vision.models import Variant
from vision.service import VisionService
from vision.settings import VisionSettings

REPO = Path(__file__).resolve().parent.parent
NOTES = REPO / "tests" / "fixtures" / "notes"


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=["tiny", "small"], default="tiny")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", type=Path, default=REPO / "var" / "models" / "ocr")
    args = parser.parse_args()
    variant: Variant = args.variant
    master = MasterData(load_world())
    reader = MessageReader(master, today=lambda: date(2026, 6, 1))
    service = VisionService(master.vocabulary, args.models, settings=VisionSettings(variant=variant))
    started = time.perf_counter()
    service.load()
    print(f"model load ({variant}): {time.perf_counter() - started:.2f} s")

    notes = [p.read_bytes() for p in sorted(NOTES.glob("*.png"))]
    service.read_sync(notes[0], "image/png")  # warm-up: first inference allocates
    note_times: list[float] = []
    for _ in range(args.rounds):
        for data in notes:
            t = time.perf_counter()
            result = service.read_sync(data, "image/png")
            reading = reader.read(result.text_for_nlu, site="FZ", intent="create_sales_order")
            reader.fields(reading, CharConfidence(result.char_confidence, result.char_corrected))
            note_times.append(time.perf_counter() - t)
    print(f"note → text + fields: p50 {_p(note_times, 50):.0f} ms, p90 {_p(note_times, 90):.0f} ms "
          f"(n={len(note_times)})")

    rng = np.random.default_rng(3)
    code_times: list[float] = []
    for spec in SPECS:
        base = render(spec)
        for _ in range(10 * args.rounds):
            image, _ = decode_image(photo(base, rng), "image/jpeg")
            t = time.perf_counter()
            decode_codes(image)
            code_times.append(time.perf_counter() - t)
    print(f"label photo → code: p50 {_p(code_times, 50):.1f} ms, p90 {_p(code_times, 90):.1f} ms "
          f"(n={len(code_times)}, decode of the photo excluded)")
    print(f"median of means: {statistics.median(note_times) * 1000:.0f} ms per note")


if __name__ == "__main__":
    main()
