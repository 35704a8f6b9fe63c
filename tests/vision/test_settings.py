"""The configured OCR confidence floor decides which lines are read (a stand-in reader: no model needed)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assistant.language.vocabulary import Vocabulary
from assistant.world.schema import World
from vision import VisionService
from vision.ocr import RawLine
from vision.settings import VisionSettings

_BOX = np.array([[10.0, 10.0], [120.0, 10.0], [120.0, 40.0], [10.0, 40.0]])


class _Reader:
    """What PaddleOCR returns for a note: one clear line, one faint smudge."""

    def read(self, _image: object, *, looser: bool = False) -> list[RawLine]:
        return [RawLine("铁观音", 0.92, _BOX), RawLine("一", 0.62, _BOX + np.array([0.0, 50.0]))]


def _blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((200, 300, 3), 255, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("floor", "kept"), [(None, ["铁观音", "一"]), (0.7, ["铁观音"]), (0.95, [])])
def test_lines_below_the_floor_are_dropped(world: World, vocabulary: Vocabulary, tmp_path: Path,
                                           floor: float | None, kept: list[str]) -> None:
    settings = VisionSettings() if floor is None else VisionSettings(min_line_confidence=floor)
    service = VisionService(vocabulary, tmp_path, settings=settings)
    service._reader = _Reader()  # type: ignore[assignment]
    result = service.read_sync(_blank_png(), "image/png", preprocess=False)
    assert [line.raw_text for line in result.ocr_lines] == kept
