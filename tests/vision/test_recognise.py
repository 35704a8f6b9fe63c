"""CTC decoding keeps each character's probability and alternatives; crops and model input as PaddleOCR makes them
(synthetic matrices and images, no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from vision.recognise import _model_input, checked, crop_line, decode

_CHARS = ["", "a", "b", "1", "/"]


def _frames(*rows: dict[int, float]) -> np.ndarray:
    """One frame per row: the given class probabilities, the rest of the mass on the blank."""
    out = np.zeros((len(rows), len(_CHARS)), dtype=np.float32)
    for t, row in enumerate(rows):
        for k, p in row.items():
            out[t, k] = p
        out[t, 0] = 1.0 - sum(row.values())
    return out


def test_each_character_keeps_its_own_probability_and_alternatives() -> None:
    probs = _frames({1: 0.99}, {1: 0.9}, {}, {2: 0.95}, {3: 0.6, 4: 0.3}, {3: 0.7, 4: 0.25}, {}, {3: 0.97})
    line = decode(probs, _CHARS)
    assert line.text == "ab11"
    assert [c.confidence for c in line.chars] == pytest.approx([0.99, 0.95, 0.7, 0.97])
    assert line.chars[2].alternatives == (("/", 0.3),)  # the strongest frame's weight for each other class
    assert line.chars[0].alternatives == ()
    # PaddleOCR's line score: the mean of each character's first-frame probability
    assert line.confidence == pytest.approx((0.99 + 0.95 + 0.6 + 0.97) / 4)


def test_nothing_read_is_an_empty_line() -> None:
    line = decode(_frames({}, {}, {}), _CHARS)
    assert line.text == "" and line.chars == () and line.confidence == 0.0


def test_a_turned_box_is_cropped_flat() -> None:
    image = np.full((200, 300, 3), 255, dtype=np.uint8)
    image[90:110, 50:250] = 0  # a dark bar, the "line"
    box = np.array([[48.0, 88.0], [252.0, 88.0], [252.0, 112.0], [48.0, 112.0]])
    crop = crop_line(image, box)
    assert crop.shape[:2] == (24, 204)
    tall = crop_line(image, np.array([[90.0, 20.0], [110.0, 20.0], [110.0, 180.0], [90.0, 180.0]]))
    assert tall.shape[0] < tall.shape[1]  # a box standing tall is turned to read along its length


def test_model_input_is_48_high_padded_to_the_trained_width() -> None:
    short = _model_input(np.zeros((30, 60, 3), dtype=np.uint8))
    assert short.shape == (1, 3, 48, 320)
    assert float(short[0, 0, 0, 0]) == -1.0 and float(short[0, 0, 0, 319]) == 0.0  # black text area, zero padding
    wide = _model_input(np.zeros((20, 400, 3), dtype=np.uint8))
    assert wide.shape == (1, 3, 48, 960)


def test_a_second_recogniser_gives_its_word_on_each_character() -> None:
    """The first model is sure of "ab1"; the second agrees on a and 1 but reads b's frames as blank mostly."""
    first = decode(_frames({1: 0.99}, {}, {2: 0.97}, {}, {3: 0.98}), _CHARS)
    second = _frames({1: 0.95}, {}, {2: 0.3, 4: 0.2}, {}, {3: 0.9})
    line = checked(first, second, _CHARS)
    assert line.text == "ab1"
    assert [c.confidence for c in line.chars] == pytest.approx([0.99, 0.97, 0.98])  # the first model's own
    assert [c.second for c in line.chars] == pytest.approx([0.95, 0.3, 0.9])
    assert ("/", 0.2) in line.chars[1].alternatives  # what the second model weighed there joins the alternatives


def test_a_character_the_second_model_cannot_read_has_no_second_word() -> None:
    first = decode(_frames({1: 0.99}, {}, {2: 0.97}), _CHARS)
    second = np.array([[0.1, 0.9, 0.0], [1.0, 0.0, 0.0], [0.2, 0.0, 0.8]], dtype=np.float32)
    line = checked(first, second, ["", "a", "x"])  # the second model has no "b"
    assert [c.second for c in line.chars] == [0.9, None]
    assert ("x", 0.8) in line.chars[1].alternatives
