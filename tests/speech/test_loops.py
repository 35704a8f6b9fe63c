"""A decode stuck in a loop is told apart from a command by Whisper's own compression-ratio test."""

from __future__ import annotations

import pytest

from speech.whisper_engine import COMPRESSION_RATIO_THRESHOLD, compression_ratio


@pytest.mark.parametrize("text", ["调拨5件曲轴到总装线B区", "王五买了1斤铁观音，不对，是2斤",
                                  "Transfer five crankshafts to assembly line B.", "派一台小车到二号月台",
                                  "Sell two jin of Longjing to Wang Wu, walk-in customer, today."])
def test_commands_are_not_loops(text: str) -> None:
    assert compression_ratio(text) < COMPRESSION_RATIO_THRESHOLD


@pytest.mark.parametrize("unit,times", [("绿茶", 30), ("4 ", 60), ("陈", 60), ("the shop ", 20)])
def test_a_repeated_piece_is_a_loop(unit: str, times: int) -> None:
    assert compression_ratio("调拨" + unit * times) > COMPRESSION_RATIO_THRESHOLD
