"""The corrector alone, on transcripts Whisper and Vosk actually produce (no model needed)."""

from __future__ import annotations

import pytest

from assistant.language.vocabulary import Vocabulary
from speech.correct import Corrector
from speech.lexicon import build_lexicon
from speech.pinyin import similarity


@pytest.fixture(scope="module")
def zh(vocabulary: Vocabulary) -> Corrector:
    return Corrector(build_lexicon(vocabulary, "zh", "DG"))


@pytest.fixture(scope="module")
def en(vocabulary: Vocabulary) -> Corrector:
    return Corrector(build_lexicon(vocabulary, "en", "DG"))


@pytest.mark.parametrize(("heard", "meant"), [
    ("调播武舰驱走到总州二线", "调拨五件曲轴到总装二线"),   # the example, after Traditional → Simplified
    ("调拨两箱罗山道治检区。", "调拨两箱螺栓到质检区。"),
    ("把二十个活花塞掉到总装一线", "把二十个火花塞调到总装一线"),
    ("太一台小车到二号月台", "派一台小车到二号月台"),
    ("张三买两金铁观音", "张三买两斤铁观音"),
    ("我要酒个", "我要九个"),
])
def test_zh_homophones_are_locked_to_the_vocabulary(zh: Corrector, heard: str, meant: str) -> None:
    assert zh.correct(heard).text == meant


@pytest.mark.parametrize("text", [
    "调拨五件曲轴到总装二线", "把十个活塞送到总装一线", "连杆还有多少", "给李四开一单龙井三斤", "确认", "是五件",
    "曲轴总成五件",
])
def test_zh_correct_text_is_left_alone(zh: Corrector, text: str) -> None:
    fixed = zh.correct(text)
    assert fixed.text == text
    assert fixed.corrections == ()
    assert fixed.quality == 1.0


@pytest.mark.parametrize(("heard", "meant"), [
    ("要20顿螺纹钢", "要20吨螺纹钢"),  # Whisper writes the number in digits: the unit after it is still a unit
    ("要20 顿螺纹钢", "要20吨螺纹钢"),
    ("要二十顿螺纹钢", "要二十吨螺纹钢"),
])
def test_a_unit_after_a_number_is_heard_as_the_sites_unit(vocabulary: Vocabulary, heard: str, meant: str) -> None:
    assert Corrector(build_lexicon(vocabulary, "zh", "FS")).correct(heard).text == meant


def test_digits_before_a_word_that_is_no_unit_stay(zh: Corrector) -> None:
    assert zh.correct("调拨5件曲轴到总装线B区").text == "调拨5件曲轴到总装线B区"


def test_zh_spaces_from_the_engine_are_dropped(zh: Corrector) -> None:
    assert zh.correct("调拨 五件 曲轴 总装二线").text == "调拨五件曲轴总装二线"  # Vosk and Whisper both space words


def test_corrections_are_reported_with_codes(zh: Corrector) -> None:
    fixed = zh.correct("调拨两箱罗山到质检区")
    (bolt,) = [c for c in fixed.corrections if c.kind == "item"]
    assert (bolt.heard, bolt.replaced_by, bolt.code) == ("罗山", "螺栓", "BT-M8")
    assert 0.8 < fixed.quality < 1.0


@pytest.mark.parametrize(("heard", "meant"), [
    ("Send an AGV to stock 2.", "Send an AGV to dock 2."),
    ("Move two boxes and bolt to the Q.C. area.", "Move two boxes and bolts to the QC area."),
])
def test_en_words_are_locked_to_the_vocabulary(en: Corrector, heard: str, meant: str) -> None:
    assert en.correct(heard).text == meant


def test_confusable_sounds_score_high() -> None:
    assert similarity("zou", "zhou") == 0.9
    assert similarity("lan", "nang") == 0.9
    assert similarity("hu", "fu") == 0.9
    assert similarity("er", "yi") == 0.0
