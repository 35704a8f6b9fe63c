from __future__ import annotations

import pytest

from vision.correct import Corrector


@pytest.fixture(scope="module")
def corrector(vocabulary) -> Corrector:
    return Corrector(vocabulary)


@pytest.mark.parametrize(("raw", "expected"), [
    ("王五.202511/22", "王五,2025/1/22"),
    ("4.小红.2025年12月1日,购绿茶6斤", "林小红,2025年12月1日,购绿茶6斤"),
    ("李四.26.4.6,铁观音8两", "李四,26.4.6,铁观音8两"),
    ("黃丽,2025年9月30日", "黄丽,2025年9月30日"),
    ("普洱茶 2餅", "普洱茶 2饼"),
    ("赵六2025.3.8萊莉花茶3斤", "赵六2025.3.8茉莉花茶3斤"),
    ("2O25年1O月3日 1O斤", "2025年10月3日 10斤"),
    ("铁观首2斤", "铁观音2斤"),
    ("026~03-09", "026-03-09"),
])
def test_corrects(corrector: Corrector, raw: str, expected: str) -> None:
    result = corrector.correct(raw)
    assert result.text == expected
    assert len(result.changed) == len(result.text)
    assert any(result.changed)


@pytest.mark.parametrize("text", [
    "龙井3斤", "绿茶6斤", "5观音2斤", "B-03 B01 A-01", "M8螺栓 20件", "普洱茶", "2025-02-03", "dock 2", "12小红",
])
def test_leaves_good_text_alone(corrector: Corrector, text: str) -> None:
    result = corrector.correct(text)
    assert result.text == text
    assert not any(result.changed)
