"""When the writing's polarity is not clear-cut, both are read and the fuller, surer reading is kept (a stand-in
reader: no model needed)."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from assistant.language.vocabulary import Vocabulary
from vision import VisionService
from vision.images import Image as Pixels
from vision.ocr import RawLine
from vision.polarity import judge_polarity

_BOX = np.array([[10.0, 10.0], [120.0, 10.0], [120.0, 40.0], [10.0, 40.0]])


class _Reader:
    """Reads a little on the first call and more on the second; counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, _image: object, *, looser: bool = False) -> list[RawLine]:
        self.calls += 1
        return [RawLine("李四买白茶6斤" if self.calls == 1 else "赵六买白茶6斤 2026-01-05", 0.9, _BOX)]


def _png(grey: Pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _half_and_half() -> Pixels:
    """Dark writing on paper on the left, light writing on a dark screen on the right: no clear polarity."""
    page = np.full((300, 900), 235, dtype=np.uint8)
    page[:, 450:] = 25
    for x, ink in ((20, 30), (470, 230)):
        for y in (90, 200):
            cv2.putText(page, "tea 25 kg", (x, y), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.5, (ink,), 3, cv2.LINE_AA)
    return page


def test_an_unclear_polarity_is_read_both_ways(vocabulary: Vocabulary, tmp_path: Path) -> None:
    image = _half_and_half()
    assert not judge_polarity(image).sure
    service = VisionService(vocabulary, tmp_path)
    reader = _Reader()
    service._reader = reader  # type: ignore[assignment]
    result = service.read_sync(_png(image), "image/png")
    assert reader.calls == 2
    assert result.text_for_nlu == "赵六买白茶6斤 2026-01-05" and "polarity:both-read" in result.steps


def test_a_clear_polarity_is_read_once(vocabulary: Vocabulary, tmp_path: Path) -> None:
    page = np.full((300, 900), 235, dtype=np.uint8)
    cv2.putText(page, "tea 25 kg", (20, 150), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.5, (30,), 3, cv2.LINE_AA)
    service = VisionService(vocabulary, tmp_path)
    reader = _Reader()
    service._reader = reader  # type: ignore[assignment]
    result = service.read_sync(_png(page), "image/png")
    assert reader.calls == 1 and "polarity:both-read" not in result.steps


class _FaintReader:
    """Finds one stray character with the pipeline's thresholds, the whole line with looser ones."""

    def __init__(self) -> None:
        self.looks: list[bool] = []

    def read(self, _image: object, *, looser: bool = False) -> list[RawLine]:
        self.looks.append(looser)
        return [RawLine("赵六买白茶6斤", 0.85, _BOX)] if looser else [RawLine("六", 0.9, _BOX)]


def test_a_photo_that_reads_almost_nothing_is_looked_at_again(vocabulary: Vocabulary, tmp_path: Path) -> None:
    page = np.full((300, 900), 235, dtype=np.uint8)
    cv2.putText(page, "tea 25 kg", (20, 150), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.5, (30,), 3, cv2.LINE_AA)
    service = VisionService(vocabulary, tmp_path)
    reader = _FaintReader()
    service._reader = reader  # type: ignore[assignment]
    result = service.read_sync(_png(page), "image/png")
    assert reader.looks == [False, True]
    assert result.text_for_nlu == "赵六买白茶6斤" and "second-look" in result.steps
