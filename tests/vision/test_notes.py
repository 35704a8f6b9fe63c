"""Handwritten note fixtures through the real PaddleOCR: the text must yield the expected order fields.

The exact share of notes read right is a benchmark (bench.recognition_accuracy, docs/benchmarks.md); here a margin
that holds on any CPU of this kind guards against gross regressions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.language.extract import extract_mentions
from assistant.language.fields import CharConfidence, FieldReading
from assistant.language.quantities import to_base
from assistant.language.reading import MessageReader
from assistant.language.resolve import Match, Resolver
from assistant.language.vocabulary import Vocabulary
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from tests.vision.conftest import NOTES
from vision import VisionResult, VisionService

TODAY = date(2026, 6, 1)
# With general correction only, 9 of the 12 shared notes read exactly right here (a slash read as 1, a name missing
# its first character and a customer outside the photo are asked for instead); the fixtures are never tuned to.
EXACT_HERE = 9
GROSS_REGRESSION = 3  # notes an OCR change may lose on another CPU before this test objects


def _fields(result: VisionResult, world: World) -> dict[str, FieldReading]:
    """The note's fields as the assistant reads them from what vision returned (text + confidences)."""
    reader = MessageReader(MasterData(world), today=lambda: TODAY)
    reading = reader.read(result.text_for_nlu, site="FZ", intent="create_sales_order")
    chars = CharConfidence(result.char_confidence, result.char_corrected)
    return {f.name: f for f in reader.fields(reading, chars)}


def _exactly_right(text: str, expect: dict[str, Any], world: World, vocabulary: Vocabulary, resolver: Resolver) -> bool:
    m = extract_mentions(text, vocabulary, resolver, "FZ", TODAY)
    if m.customer is None or m.item is None or m.date is None or m.date.value is None or m.amount is None:
        return False  # a date that read as none (unclear, asked for) is not right either
    if not (isinstance(m.customer.resolution, Match) and isinstance(m.item.resolution, Match)):
        return False
    item = next(i for i in world.items if i.code == m.item.resolution.code)
    qty = to_base(world, item, m.amount.amount).qty_base
    return (
        m.customer.resolution.code == expect["customer"]
        and m.item.resolution.code == expect["item"]
        and m.date.value is not None and m.date.value.isoformat() == expect["date"]
        and int(qty) == expect["qty_base"]
    )


@pytest.fixture(scope="module")
def readings(service: VisionService, manifest: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for note in manifest:
        data = (NOTES / f"{note['id']}.png").read_bytes()
        out[note["id"]] = {
            "prepared": service.read_sync(data, "image/png"),
            "raw": service.read_sync(data, "image/png", preprocess=False),
        }
    return out


def test_most_notes_exactly_right(readings, manifest, world, vocabulary, resolver) -> None:
    right = [n["id"] for n in manifest
             if _exactly_right(readings[n["id"]]["prepared"].text_for_nlu, n["expect"], world, vocabulary, resolver)]
    raw = [n["id"] for n in manifest
           if _exactly_right(readings[n["id"]]["raw"].text_for_nlu, n["expect"], world, vocabulary, resolver)]
    print(f"\nnotes exactly right: preprocessed {len(right)}/12, raw {len(raw)}/12")
    assert len(right) >= EXACT_HERE - GROSS_REGRESSION, {n["id"]: readings[n["id"]]["prepared"].text_for_nlu
                                                            for n in manifest}
    assert len(right) > len(raw)  # preparing the image must earn its keep


def test_preprocessing_recovers_missed_lines(readings, manifest) -> None:
    """Raw PaddleOCR drops whole lines or line ends on tilted and photographed notes; prepared, every
    written line's text is found (nd11's customer is outside the frame, so not expected)."""
    lost_raw = lost_prepared = 0
    for note in manifest:
        chars = "".join(note["lines"]).replace(" ", "").replace(",", "")
        for key in ("raw", "prepared"):
            found = readings[note["id"]][key].text_for_nlu.replace(" ", "")
            lost = sum(1 for c in set(chars) if c not in found)
            if key == "raw":
                lost_raw += lost
            else:
                lost_prepared += lost
    print(f"\ndistinct written characters not found: raw {lost_raw}, prepared {lost_prepared}")
    assert lost_prepared < lost_raw


def test_lines_have_confidence_box_and_reading_order(readings) -> None:
    result = readings["nd05"]["prepared"]  # two lines, the date right of the name on the first
    texts = [ln.text for ln in result.ocr_lines]

    def at(part: str) -> int:  # the detector may give the goods and the amount one box or two
        return next(i for i, text in enumerate(texts) if part in text)

    assert at("陈老板") < at("2025年4月1日") < at("普洱茶")
    for line in result.ocr_lines:
        assert 0.5 <= line.confidence <= 1.0
        xs = [p[0] for p in line.box]
        ys = [p[1] for p in line.box]
        assert min(xs) >= -20 and max(xs) <= 609 + 20 and min(ys) >= -20 and max(ys) <= 187 + 20  # input pixels


def test_corrections_are_kept_and_flagged(readings, world) -> None:
    result = readings["nd05"]["prepared"]
    fields = _fields(result, world)
    assert fields["amount"].value == "2 饼" and "饼" in result.text_for_nlu
    if "餅" in result.raw_text:  # read in its traditional form (the tiny recogniser does): corrected, and flagged so
        assert fields["amount"].corrected
    customer = fields["customer"]
    assert customer.value == "C007" and not customer.corrected and not customer.low_confidence


def test_note_without_customer_leaves_it_out(readings, world) -> None:
    fields = _fields(readings["nd11"]["prepared"], world)
    assert "customer" not in fields  # written outside the photo: asked for, never guessed
    assert fields["item"].value == "TEA-BC"


def test_no_network_during_load_and_read(service, network_attempts) -> None:
    assert network_attempts == []


def test_fields_read_by_paddleocr_carry_alternatives(readings, world) -> None:
    fields = _fields(readings["nd08"]["prepared"], world)
    item = fields["item"]  # 红茶, written on a photo
    assert item.value == "TEA-HC" and "TEA-LC" in [a.value for a in item.alternatives]  # 绿茶 looks alike
    assert fields["date"].alternatives == ()  # the year is written
