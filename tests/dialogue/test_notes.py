"""Finger-written notes → draft sales order → "确认", through the turn API with the real PaddleOCR and Rasa."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"


def _image_turn(stack: Stack, device: str, path: Path, text: str | None = None) -> tuple[int, dict[str, Any]]:
    return stack.image(device, path.read_bytes(), path.name, text)


def _order_matches(doc: dict[str, Any], expect: dict[str, Any]) -> bool:
    line = doc["lines"][0] if doc.get("lines") else {}
    return (doc.get("type") == "sales_order" and (doc.get("customer") or {}).get("code") == expect["customer"]
            and doc.get("date") == expect["date"] and line.get("item") == expect["item"]
            and sum(ln["qty_base"] for ln in doc["lines"]) == pytest.approx(expect["qty_base"], abs=0.51))


def test_notes_become_confirmed_sales_orders(fresh: Stack) -> None:
    manifest = json.loads((NOTES / "manifest.json").read_text(encoding="utf-8"))
    right, flagged, missed = 0, 0, []
    for case in manifest:
        fresh.restart("PAD-01")
        status, read_back = _image_turn(fresh, "PAD-01", NOTES / f"{case['id']}.png")
        assert status == 200, read_back
        assert read_back["input"]["kind"] == "image" and read_back["input"]["ocr_lines"]
        assert read_back["documents"] == []  # nothing is posted before the confirmation
        done = fresh.turn("PAD-01", "确认")
        matched = any(_order_matches(doc, case["expect"]) for doc in done["documents"])
        if done["intent"]["name"] == "create_sales_order" and matched:
            right += 1
        else:
            missed.append((case["id"], read_back["input"]["text"], read_back["reply"]["text"]))
            # not silently wrong: a doubtful field flagged, a field asked for, or nothing proposed or written at all
            flagged += any(f.get("low_confidence") for f in read_back["input"]["fields"]) or \
                read_back["awaiting"] not in (None, "confirmation") or \
                (read_back.get("draft") is None and not done["documents"])
    print(f"notes: {right}/{len(manifest)} right; missed: {missed}")
    # The fixtures are a last check, never a tuning set: 9 of 12 here with general correction only (the other three
    # have a date whose slash was read as 1, a name missing its first character, a customer outside the photo:
    # each asked for). The margin of three is the CPU's (ONNX Runtime reads a little differently elsewhere).
    assert right >= 6, missed
    assert right + flagged == len(manifest), "a wrong note must at least flag the doubtful field or write nothing"


def test_an_image_without_text_or_code(fresh: Stack, tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (640, 480), "white").save(blank)
    status, body = _image_turn(fresh, "PAD-01", blank)
    assert status == 200 and body["documents"] == []
    assert "没有找到文字或条码" in body["reply"]["text"]


def test_not_an_image(fresh: Stack) -> None:
    files = {"image": ("note.png", b"this is not a picture", "image/png")}
    response = fresh.client.post("/api/v1/turns", files=files,
                                 headers={"Authorization": f"Bearer {fresh.token('PAD-01')}"})
    assert response.status_code in (400, 415)
    assert response.json()["error"]["code"] in ("image-unsupported", "image-corrupt")
