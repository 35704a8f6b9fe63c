"""Polarity and skew are judged on the writing, not on what surrounds it (synthetic images, no model needed)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.images import Image
from vision.polarity import judge_polarity
from vision.preprocess import prepare
from vision.skew import rotate, skew_angle


def _writing(width: int = 900, height: int = 300, ink: int = 30, paper: int = 235, lines: int = 2) -> Image:
    """Lines of pen-like strokes (Hershey script) on paper."""
    page = np.full((height, width), paper, dtype=np.uint8)
    for i in range(lines):
        cv2.putText(page, "order 25 kg tea 2025/7/9" if i % 2 == 0 else "Zhang san buys 4 cakes",
                    (30, 90 + 110 * i), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.4, (ink,), 3, cv2.LINE_AA)
    return page


def _on_table(sheet: Image, table: int = 45, pad: int = 250) -> Image:
    """The sheet lying on a dark table that fills most of the frame: the photo's median is the table's."""
    return np.asarray(cv2.copyMakeBorder(sheet, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(table,)), np.uint8)


def test_dark_ink_on_paper_is_not_inverted() -> None:
    judged = judge_polarity(_writing())
    assert judged.polarity == "dark-on-light" and judged.sure


def test_a_light_sheet_on_a_dark_table_is_not_taken_for_dark_mode() -> None:
    photo = _on_table(_writing())
    assert float(np.median(photo)) < 110  # what the old rule (median grey below 110) inverted
    judged = judge_polarity(photo)
    assert judged.polarity == "dark-on-light" and judged.sure
    assert "invert" not in prepare(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)).steps


def test_dim_brown_paper_is_not_taken_for_dark_mode() -> None:
    kraft = _writing(ink=25, paper=95)  # dark paper, darker ink
    assert judge_polarity(kraft).polarity == "dark-on-light"


def test_light_writing_on_a_dark_screen_is_inverted() -> None:
    dark_mode = _writing(ink=230, paper=25)
    judged = judge_polarity(dark_mode)
    assert judged.polarity == "light-on-dark" and judged.sure
    assert "invert" in prepare(cv2.cvtColor(dark_mode, cv2.COLOR_GRAY2BGR)).steps


def test_a_blank_image_is_not_judged_sure() -> None:
    assert not judge_polarity(np.full((200, 300), 200, dtype=np.uint8)).sure


@pytest.mark.parametrize("turn", [-7.0, -3.0, 4.0, 9.0])
def test_turned_writing_is_levelled(turn: float) -> None:
    turned, _ = rotate(_writing(lines=3, height=420), turn)
    assert skew_angle(turned) == pytest.approx(-turn, abs=1.0)


def test_level_writing_stays_level_beside_a_turned_sheet_edge() -> None:
    """A long dark edge at 12° (a table, a shadow) is not a line of writing: it may not turn the level text."""
    page = _writing(lines=3, height=420)
    cv2.line(page, (0, 400), (899, 209), (20,), 9)
    assert abs(skew_angle(page)) < 1.0


def test_no_marks_no_turn() -> None:
    assert skew_angle(np.full((300, 400), 240, dtype=np.uint8)) == 0.0


def test_a_clean_screen_s_noise_is_not_stretched_into_speckles() -> None:
    """Thin faint strokes on an even screen: the 1st percentile is still the screen; its noise stays small."""
    rng = np.random.default_rng(7)
    screen = np.clip(rng.normal(248, 2.0, (400, 600)), 0, 255).astype(np.uint8)
    cv2.line(screen, (100, 200), (300, 200), (200,), 1)
    prepared = prepare(cv2.cvtColor(screen, cv2.COLOR_GRAY2BGR)).image[:, :, 0]
    paper = prepared[50:150, 350:550]
    assert float(paper.std()) < 12.0 and float(paper.min()) > 180
