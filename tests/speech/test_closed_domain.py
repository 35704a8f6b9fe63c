"""Closed-domain decoding: the candidate generator and the choice on scripted scores (no model), and one
espeak-ng utterance through Whisper's own decoder, where rescoring must pick the sentence that was said."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.language.vocabulary import Vocabulary
from bench.devsets.speak import Voice, speak
from speech.candidates import Candidate, CandidateGenerator
from speech.closed_domain import ClosedDomain, Scored, choose
from speech.engine import EngineResult
from speech.lexicon import build_lexicon
from speech.service import SpeechService
from speech.settings import SpeechSettings
from speech.whisper_engine import TokenScore, WhisperTranscriber


@pytest.fixture(scope="module")
def zh(vocabulary: Vocabulary) -> CandidateGenerator:
    return CandidateGenerator(build_lexicon(vocabulary, "zh", "DG"))


@pytest.fixture(scope="module")
def en(vocabulary: Vocabulary) -> CandidateGenerator:
    return CandidateGenerator(build_lexicon(vocabulary, "en", "DG"))


# -- candidates --------------------------------------------------------------------------------------------
def test_a_misheard_name_becomes_a_slot_with_its_nearest_names(zh: CandidateGenerator) -> None:
    slots = zh.slots("调拨五件驱走到总装二线")
    assert [s.heard for s in slots] == ["驱走", "总装二线"]
    assert slots[0].fillers[0].text == "曲轴" and slots[0].fillers[0].kind == "item"
    assert {f.kind for f in slots[0].fillers} == {"item"}  # a slot keeps to its kind
    assert len({f.code for f in slots[0].fillers}) == len(slots[0].fillers)  # one spelling per thing
    assert slots[1].fillers[0].code == "LINE-B"


def test_candidates_keep_the_heard_words_around_each_name(zh: CandidateGenerator) -> None:
    texts = {c.text: c for c in zh.candidates("调拨五件驱走到总装二线")}
    assert "调拨五件驱走到总装二线" in texts and texts["调拨五件驱走到总装二线"].origin == "heard"
    assert texts["调拨五件曲轴到总装二线"].origin == "names"  # every slot with its nearest name
    assert texts["调拨五件曲轴到总装二线"].meaning == ("item:CS-1001", "location:LINE-B")
    swaps = [c for c in texts.values() if c.origin == "swap"]
    assert swaps and all(c.text.startswith("调拨五件") for c in swaps)
    assert any(c.text.endswith("到总装一线") or c.text.endswith("到总装线A区") for c in swaps)
    frames = [c for c in texts.values() if c.origin == "frame"]
    assert "调拨五件曲轴到总装二线" in texts and any(c.text == "派一台小车到总装二线" for c in frames)


def test_candidates_are_few_and_distinct(zh: CandidateGenerator, en: CandidateGenerator) -> None:
    for generator, heard in ((zh, "帕一帕二 四 四 帕二 活塞 红袍 铁观音 质检 林小红 三号码头"),
                             (en, "Move five pistons and the cam chaff to the dock to, and line bee.")):
        made = generator.candidates(heard, limit=12)
        assert 2 <= len(made) <= 12
        assert len({c.text.replace(" ", "") for c in made}) == len(made)


def test_english_slots_and_meanings(en: CandidateGenerator) -> None:
    made = en.candidates("Move five pistols to dock to.")
    by_text = {c.text: c for c in made}
    assert "Move five pistons to dock two." in by_text
    assert by_text["Move five pistons to dock two."].meaning == ("item:PS-2001", "location:DOCK-2")
    assert "Transfer five pistons to dock two." in by_text  # a command frame with the nearest names


def test_no_reply_is_ever_made_up(zh: CandidateGenerator, en: CandidateGenerator) -> None:
    """A reply confirms or cancels a stock change: it comes from what Whisper heard, never from a candidate."""
    for generator, heard in ((zh, "滑了"), (zh, "凸轮轴"), (en, "No."), (en, "Can so that.")):
        assert not {c.text for c in generator.candidates(heard)} & {"确认", "取消", "Yes.", "Cancel that."}


def test_a_decoder_loop_is_not_searched_past_a_command_length(zh: CandidateGenerator) -> None:
    slots = zh.slots("3号月台" * 60)
    assert slots and all(s.end <= 40 for s in slots)


# -- the choice ---------------------------------------------------------------------------------------
def scored(text: str, origin: str, mean: float, tokens: int = 10, meaning: tuple[str, ...] = (),
           in_domain: bool | None = None) -> Scored:
    in_domain = origin != "heard" if in_domain is None else in_domain
    return Scored(Candidate(text, origin, meaning or (text,), in_domain), TokenScore(mean * tokens, tokens))


def test_a_candidate_nearly_as_probable_as_the_free_decode_replaces_it() -> None:
    choice = choose([scored("调拨五件驱走到总装二线", "heard", -0.9),
                     scored("调拨五件曲轴到总装二线", "swap", -1.0, meaning=("item:CS-1001",)),
                     scored("调拨五件凸轮到总装二线", "swap", -2.5, meaning=("item:CM-1002",))],
                    heard_confidence=0.6, slack=0.5)
    assert choice.text == "调拨五件曲轴到总装二线" and choice.origin == "swap"
    assert choice.margin == pytest.approx(-0.1)
    assert 0.5 < choice.confidence < 0.6  # never surer than the engine was of the audio


def test_the_free_decode_stays_when_every_candidate_is_clearly_less_probable() -> None:
    choice = choose([scored("帕一帕二", "heard", -0.8), scored("派一台小车", "frame", -2.0)],
                    heard_confidence=0.4, slack=0.5)
    assert (choice.text, choice.origin, choice.confidence) == ("帕一帕二", "heard", 0.4)
    assert choice.margin == pytest.approx(-1.2)


def test_a_free_decode_of_site_names_is_only_replaced_by_a_more_probable_sentence(en: CandidateGenerator) -> None:
    heard = en.candidates("Send 60 camshafts to A03.")[0]
    assert heard.origin == "heard" and heard.in_domain and heard.meaning == ("item:CM-1002", "location:A-03")
    assert not en.candidates("Send 60 camshafts to A 0 3 please now.")[0].in_domain
    rivals = [scored("Send 60 camshafts to A01.", "swap", -0.9, meaning=("item:CM-1002", "location:A-01")),
              scored("Send 60 crankshafts to A03.", "swap", -3.0, meaning=("item:CS-1001", "location:A-03"))]
    kept = choose([Scored(heard, TokenScore(-8.0, 10)), *rivals], heard_confidence=0.8, slack=0.5)
    assert (kept.text, kept.origin) == ("Send 60 camshafts to A03.", "heard")
    assert 0.4 < kept.confidence < 0.6  # A01 came close: the turn should not take A03 for certain
    replaced = choose([Scored(heard, TokenScore(-12.0, 10)), *rivals], heard_confidence=0.8, slack=0.5)
    assert replaced.text == "Send 60 camshafts to A01." and replaced.margin == pytest.approx(0.3)


def test_two_close_readings_leave_the_choice_unsure() -> None:
    close = choose([scored("x", "heard", -1.5), scored("five pistons", "swap", -1.0, meaning=("item:PS",)),
                    scored("five bolts", "swap", -1.02, meaning=("item:BT",))], heard_confidence=0.9)
    apart = choose([scored("x", "heard", -1.5), scored("five pistons", "swap", -1.0, meaning=("item:PS",)),
                    scored("five bolts", "swap", -2.0, meaning=("item:BT",))], heard_confidence=0.9)
    assert close.text == apart.text == "five pistons"
    assert close.confidence < 0.5 < 0.8 < apart.confidence


def test_two_ways_of_saying_one_thing_do_not_compete() -> None:
    choice = choose([scored("x", "heard", -3.0), scored("普洱茶", "swap", -1.0, meaning=("item:TEA-PE",)),
                     scored("普洱", "swap", -1.01, meaning=("item:TEA-PE",))], heard_confidence=0.9)
    assert choice.share > 0.95 and choice.confidence > 0.8


class ScriptedScorer:
    """Stands in for Whisper's decoder: scores from a table, records what it was asked."""

    def __init__(self, table: dict[str, float]) -> None:
        self.table = table
        self.asked: list[tuple[str, tuple[str, ...], str]] = []

    def score(self, pcm: Any, language: str, texts: Sequence[str], prompt: str = "") -> list[TokenScore]:
        self.asked.append((language, tuple(texts), prompt))
        return [TokenScore(self.table.get(t, -5.0) * 8, 8) for t in texts]


def test_closed_domain_decode_rescoring_with_a_scripted_decoder(zh: CandidateGenerator) -> None:
    scorer = ScriptedScorer({"调播五件驱走到总装二线": -0.7, "调拨五件曲轴到总装二线": -0.8})
    domain = ClosedDomain(zh, slack=0.5)
    result = domain.decode(scorer, np.zeros(1, np.int16), EngineResult("調播五件驅走到總裝二線", 0.5, (), "zh"))
    assert result.text == "调拨五件曲轴到总装二线" and result.language == "zh"
    assert scorer.asked[0][0] == "zh" and scorer.asked[0][2] == ""  # no prompt to prime a candidate's words
    silent = domain.decode(scorer, np.zeros(1, np.int16), EngineResult("", 0.0, (), "zh"))
    assert silent.text == "" and len(scorer.asked) == 1  # nothing heard: nothing scored


# -- real audio -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def whisper(models_dir: Path) -> WhisperTranscriber:
    return WhisperTranscriber(models_dir / "whisper-base")


def test_whisper_scores_the_sentence_said_above_its_rivals(whisper: WhisperTranscriber,
                                                             en: CandidateGenerator) -> None:
    """espeak-ng says a command (made here, not a fixture); among candidates made from a deliberately misheard
    transcript, Whisper's decoder puts the sentence said first and the closed domain picks it."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed: `make voice-tools` installs it (make test does)")
    said = "Move five pistons to dock two."
    pcm = speak(said, "en", Voice("en-us", "m3", 140, 50, 0.7, 0.2, 0.2))
    misheard = EngineResult("Move five pistols to dock to.", 0.4, (), "en")
    candidates = en.candidates(misheard.text)
    assert said in {c.text for c in candidates}
    scores = whisper.score(pcm, "en", [c.text for c in candidates])
    best = max(zip(candidates, scores, strict=True), key=lambda cs: cs[1].mean)[0]
    assert best.text == said
    result = ClosedDomain(en).decode(whisper, pcm, misheard)
    assert result.text == said and 0 < result.confidence <= misheard.confidence


async def test_the_service_rescores_when_the_setting_is_on(models_dir: Path, vocabulary: Vocabulary) -> None:
    """FRONTLINE_SPEECH__CLOSED_DOMAIN (on by default): each site's Whisper context carries its domain, and a clear
    command comes through unchanged in meaning; off, there is none."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed: `make voice-tools` installs it (make test does)")
    service = SpeechService(SpeechSettings(whisper_dir=models_dir / "whisper-base", engines={"en": "whisper"},
                                           closed_domain=True), vocabulary)
    pcm = speak("Move five pistons to line B.", "en", Voice("en-us", "m3", 140, 50, 0.7, 0.2, 0.2))
    heard = await asyncio.to_thread(service._transcribe_pcm, pcm, "en", "DG")
    engine = service._engine("en")
    assert isinstance(service._site("en", "DG", engine)[1].domain, ClosedDomain)
    assert "pistons to line b" in heard.text_for_nlu.lower()
    off = SpeechService(SpeechSettings(whisper_dir=models_dir / "whisper-base", engines={"en": "whisper"},
                                       closed_domain=False), vocabulary)
    assert off._site("en", "DG", engine)[1].domain is None
