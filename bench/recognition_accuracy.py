"""Recognition accuracy on this machine: the exact figures the tests only guard with a margin.

    .venv/bin/python -m bench.recognition_accuracy [--voice] [--notes] [--set closed_domain=true]

Voice: each recording of tests/fixtures/voice (clean and noisy) through the real Whisper and the transcript
corrector, then the assistant's one reading of the words: right when the manifest's item, destination, customer
and amount (and the yes/cancel word) come out. Notes: each photo of tests/fixtures/notes through the real PaddleOCR
and the reading: right when customer, item, date and quantity are all exactly the manifest's.

The fixtures are a last check, never a tuning set; CTranslate2's int8 kernels and ONNX Runtime differ between CPUs,
so the figures are printed with the CPU they were measured on (record them per machine class in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from assistant.language.fields import CharConfidence
from assistant.language.quantities import to_base
from assistant.language.reading import MessageReader, Reading
from assistant.language.resolve import Match, Resolution
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from bench.machine import cpu
from speech.models import default_models_dir, prepare_models
from speech.service import SpeechService
from speech.settings import SpeechSettings
from vision.service import VisionService

REPO = Path(__file__).resolve().parent.parent
VOICE = REPO / "tests" / "fixtures" / "voice"
NOTES = REPO / "tests" / "fixtures" / "notes"
SITES = {"HMD-01": "DG", "HMD-02": "DG", "PAD-01": "FZ", "PAD-02": "FZ", "PAD-DG": "DG"}
TODAY = date(2026, 6, 1)
COMMAND_WORDS = {"affirm": ("确认", "yes"), "cancel": ("取消", "cancel")}


def _code(resolution: Resolution | None) -> str | None:
    return resolution.code if isinstance(resolution, Match) else None


def voice_understood(reading: Reading, expect: dict[str, Any]) -> bool:
    """The manifest's item, destination, customer and amount (and yes/cancel word) come out of the reading."""
    m = reading.mentions
    checks = [
        "item" not in expect or (m.item is not None and _code(m.item.resolution) == expect["item"]),
        "to" not in expect or (m.destination is not None and _code(m.destination.resolution) == expect["to"]),
        "customer" not in expect or (m.customer is not None and _code(m.customer.resolution) == expect["customer"]),
        "qty_base" not in expect or m.amount is not None,
    ]
    words = COMMAND_WORDS.get(expect["intent"])
    if words:
        checks.append(any(w in reading.text.lower() for w in words))
    return all(checks)


async def voice(reader: MessageReader, master: MasterData, overrides: dict[str, Any] | None = None) -> None:
    whisper_dir = prepare_models(default_models_dir(), echo=lambda _line: None)
    settings = SpeechSettings.model_validate({"whisper_dir": whisper_dir, "engines": {"zh": "whisper", "en": "whisper"},
                                              **(overrides or {})})
    service = SpeechService(settings, master.vocabulary)
    manifest = json.loads((VOICE / "manifest.json").read_text(encoding="utf-8"))
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for case in manifest:
        for suffix in ("", "_noisy"):
            heard = await service.transcribe((VOICE / f"{case['id']}{suffix}.wav").read_bytes(), "audio/wav",
                                             case["lang"], SITES[case["device"]])
            site = SITES[case["device"]]
            ok = voice_understood(reader.read(heard.text_for_nlu, site=site), case["expect"])
            key = case["lang"] + (suffix or "_clean")
            right[key] += ok
            total[key] += 1
            print(f"  {case['id']}{suffix}: {heard.corrected!r} ({heard.confidence:.2f}) {'ok' if ok else 'MISS'}")
    print("voice, understood after correction: " + ", ".join(f"{k} {right[k]}/{total[k]}" for k in sorted(total)))


def notes(reader: MessageReader, master: MasterData) -> None:
    service = VisionService(master.vocabulary, REPO / "var" / "models" / "ocr")
    world = master.world
    manifest = json.loads((NOTES / "manifest.json").read_text(encoding="utf-8"))
    right = 0
    for note in manifest:
        result = service.read_sync((NOTES / f"{note['id']}.png").read_bytes(), "image/png")
        reading = reader.read(result.text_for_nlu, site="FZ", intent="create_sales_order")
        fields = {f.name: f for f in reader.fields(reading, CharConfidence(result.char_confidence,
                                                                            result.char_corrected))}
        expect, amount = note["expect"], reading.mentions.amount
        item = next((i for i in world.items if i.code == expect["item"]), None)
        qty = to_base(world, item, amount.amount).qty_base if item is not None and amount is not None else None
        ok = (fields.get("customer") is not None and fields["customer"].value == expect["customer"]
              and fields.get("item") is not None and fields["item"].value == expect["item"]
              and fields.get("date") is not None and fields["date"].value == expect["date"]
              and qty is not None and int(qty) == expect["qty_base"])
        right += ok
        print(f"  {note['id']}: {result.text_for_nlu!r} {'ok' if ok else 'MISS'}")
    print(f"notes exactly right: {right}/{len(manifest)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voice", action="store_true")
    parser.add_argument("--notes", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a SpeechSettings field for the voice part, e.g. --set closed_domain=true (repeatable)")
    args = parser.parse_args()
    overrides: dict[str, Any] = {}
    for override in args.set:
        name, sep, raw = override.partition("=")
        if not sep:
            raise SystemExit(f"--set {override!r}: expected name=value")
        try:
            overrides[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[name.strip()] = raw
    both = not (args.voice or args.notes)
    print(f"CPU: {cpu()}")
    master = MasterData(load_world())
    reader = MessageReader(master, today=lambda: TODAY)
    if args.voice or both:
        asyncio.run(voice(reader, master, overrides))
    if args.notes or both:
        notes(reader, master)


if __name__ == "__main__":
    main()
