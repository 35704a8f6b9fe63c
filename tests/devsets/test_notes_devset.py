"""The generated notes dev set (bench/devsets): its notes are deterministic, at least 150, expect only codes the
world has and what the notes say, never say what a shared fixture says; its photos are deterministic, decode,
and have the size planned. Only a few photos are rendered (the set's 200 are `make notes-devset`'s), and the
accuracy is the benchmark's (`python -m bench.notes_accuracy`), not a test's."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assistant.language.fields import CharConfidence
from assistant.language.reading import MessageReader
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from bench.devsets.note_images import NoteImage, make, plan, render
from bench.devsets.note_scoring import score_note
from bench.devsets.notes import COUNT, DATE_FORMATS, SEPARATORS, TODAY, NoteCase, generate, normal, write_date
from bench.devsets.strokes import DATA, glyph
from bench.notes_accuracy import NotesReport, run

REPO = Path(__file__).resolve().parents[2]
# The shared fixtures, read here only to prove the dev set never copies one: the workplace's shared/ beside the
# repo (as CI lays it out), else the repo's own copy of them.
SHARED_NOTES = (REPO.parent / "shared" / "fixtures" / "notes" / "manifest.json",
                REPO / "tests" / "fixtures" / "notes" / "manifest.json")


@pytest.fixture(scope="module")
def notes(world: World) -> tuple[NoteCase, ...]:
    return generate(world)


def test_generator_is_deterministic_and_large(world: World, notes: tuple[NoteCase, ...]) -> None:
    assert len(notes) == COUNT >= 150
    assert generate(world) == notes
    assert generate(world, count=30) == notes[:30]  # a prefix: a short run is the start of the whole set
    assert [n.lines for n in generate(world, seed=7, count=30)] != [n.lines for n in notes[:30]]
    assert len({normal(n.text) for n in notes}) == len(notes)
    assert [NoteCase.from_json(json.loads(json.dumps(n.to_json()))) for n in notes[:5]] == list(notes[:5])


def test_the_set_varies_in_every_way_it_should(notes: tuple[NoteCase, ...]) -> None:
    forms = [n.form for n in notes]
    assert {f.date_format for f in forms} == set(DATE_FORMATS)
    assert {f.separator for f in forms} == set(SEPARATORS)
    assert {f.lines for f in forms} == {1, 2}
    assert {f.numerals for f in forms} == {"digits", "chinese"}
    assert {f.verb for f in forms} >= {"购", "买", "要", ""}
    amounts = {f.amount for f in forms}
    assert {"半斤", "1.5斤"} <= amounts and any(a.endswith("两") for a in amounts) and \
        any(a.endswith("饼") for a in amounts) and any(a.endswith("克") for a in amounts)


def test_expected_codes_exist_and_are_what_the_note_says(world: World, notes: tuple[NoteCase, ...]) -> None:
    customers = {c.code: c for c in world.customers}
    teas = {i.code: i for i in world.items if i.unit == "g"}
    for n in notes:
        e = n.expect
        assert e.customer in customers and e.item in teas, n
        assert any(name in n.text for name in customers[e.customer].names), n
        assert n.form.item_name in teas[e.item].names and n.form.item_name in n.text, n
        day = date.fromisoformat(e.date)
        assert day <= TODAY and write_date(day, n.form.date_format) in n.text, n
        if n.form.date_format == "month-day":
            assert day.year == TODAY.year, n
        assert e.qty_base > 0 and n.form.amount in n.text, n


def test_the_reading_of_a_perfect_transcript_is_scored_right(world: World, notes: tuple[NoteCase, ...]) -> None:
    """The scoring's own check: a few notes as written, read with sure characters, score right, and a wrong
    amount read with sure characters is silent (nothing asks about it)."""
    reader = MessageReader(MasterData(world), today=lambda: TODAY)
    for n in notes[:10]:
        reading = reader.read(n.text, site="FZ", intent="create_sales_order")
        assert score_note(reading, reader.fields(reading, CharConfidence.sure(n.text)), n.expect, world).right, n
    n = next(n for n in notes if n.form.amount == "3斤")
    wrong = n.text.replace("3斤", "8斤")
    reading = reader.read(wrong, site="FZ", intent="create_sales_order")
    sure = score_note(reading, reader.fields(reading, CharConfidence.sure(wrong)), n.expect, world)
    assert sure.fields["amount"].outcome == "silent" and sure.silently_wrong
    doubtful = score_note(reading, reader.fields(reading, CharConfidence.uniform(wrong, 0.3)), n.expect, world)
    assert doubtful.fields["amount"].outcome == "flagged" and not doubtful.silently_wrong


def test_never_a_shared_fixture_note(notes: tuple[NoteCase, ...]) -> None:
    found = [p for p in SHARED_NOTES if p.is_file()]
    assert found, f"no shared note fixtures at {SHARED_NOTES}"
    fixtures = {normal("".join(entry["lines"])) for p in found
                for entry in json.loads(p.read_text(encoding="utf-8"))}
    assert fixtures and not fixtures & {normal(n.text) for n in notes}


def needs_stroke_data() -> None:
    if not (DATA / "package.json").is_file():
        pytest.fail("hanzi-writer-data is not installed: `make handwriting` installs it (make test does)")


def test_glyphs_come_from_the_stroke_data_and_the_drawn_digits() -> None:
    needs_stroke_data()
    tie = glyph("铁")
    assert tie.advance == 1.0 and len(tie.strokes) == 10  # 铁 has ten strokes
    assert all(0 <= x <= 1 and -0.1 <= y <= 1.15 for s in tie.strokes for x, y in s)
    for char in "0123456789/-.,:，年月日斤两克饼半":
        assert glyph(char).strokes, char
    with pytest.raises(KeyError):
        glyph("Q")


def few(notes: tuple[NoteCase, ...], root: Path) -> list[NoteImage]:
    """Four photos that differ in paper and pen (a screen among them when the first notes have one)."""
    images = plan(notes[:40], root)
    chosen: list[NoteImage] = []
    for image in images:
        kinds = {(i.style.photo.paper, i.style.pen.kind) for i in chosen}
        papers = {i.style.photo.paper for i in chosen}
        if (image.style.photo.paper, image.style.pen.kind) not in kinds and image.style.photo.paper not in papers:
            chosen.append(image)
        if len(chosen) == 4:
            break
    return chosen


def test_a_few_photos_decode_at_their_size_and_are_the_same_bytes_again(notes: tuple[NoteCase, ...],
                                                                       tmp_path: Path) -> None:
    needs_stroke_data()
    images = few(notes, tmp_path)
    assert len({i.style.photo.paper for i in images}) == 4
    lines: list[str] = []
    make(images, echo=lines.append)
    assert lines[-1] == "notes: 4/4"
    for image in images:
        data = image.path.read_bytes()
        with Image.open(io.BytesIO(data)) as photo:
            assert photo.format == "PNG" and photo.size == image.style.photo.size, image.id
            pixels = np.asarray(photo.convert("L"), dtype=np.float64)
        # Ink on paper: dark strokes on a light page, not a blank or black frame.
        assert pixels.min() < 110 and np.median(pixels) > 100 and pixels.std() > 8, image.id
    first = images[0]
    assert render(first) == first.path.read_bytes()  # byte-identical on rerun
    again = plan([first.case], tmp_path)[0]
    assert again.path == first.path  # the same recipe, the same cached file
    mtime = first.path.stat().st_mtime_ns
    make([again], echo=lines.append)
    assert first.path.stat().st_mtime_ns == mtime  # cached: not drawn again


def test_the_benchmark_reads_two_notes_into_a_typed_report(tmp_path: Path) -> None:
    """The benchmark's mechanism on two notes of their own small set: the real vision service reads them, every
    field gets an outcome, the tables and the JSON lines come out (the accuracy itself is the full run's)."""
    needs_stroke_data()
    out = tmp_path / "results.jsonl"
    report = run(count=2, root=tmp_path / "notes", out=out, echo=lambda _line: None)
    assert isinstance(report, NotesReport) and len(report.results) == 2 and report.cpu
    assert report.as_written.right == 2  # the notes as written are read right: only OCR can miss
    for result in report.results:
        assert set(result.score.fields) == {"customer", "date", "item", "amount"}
        assert all(f.outcome in ("right", "flagged", "silent") for f in result.score.fields.values())
    table = report.markdown()
    assert "| all notes | 2 |" in table and "| paper |" in table and "| date format |" in table
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["n0000", "n0001"] and all("fields" in r and "steps" in r for r in rows)
