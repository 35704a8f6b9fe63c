"""Streaming with Whisper: VAD endpointing, partials, finish; and the service's public shape."""

from __future__ import annotations

import numpy as np

from speech import Final, Partial, SpeechService, Transcript
from speech.audio import SAMPLE_RATE, decode
from tests.speech.conftest import wav

CHUNK = 3200


async def test_whisper_stream_endpoints_by_vad(service: SpeechService) -> None:
    stream = service.open_stream("zh", "DG")
    pcm = np.concatenate([decode(wav("zh01.wav")), np.zeros(SAMPLE_RATE, dtype=np.int16)]).astype("<i2").tobytes()
    events = [await stream.accept(pcm[i:i + CHUNK]) for i in range(0, len(pcm), CHUNK)]
    partials = [e for e in events if isinstance(e, Partial)]
    finals = [e for e in events if isinstance(e, Final)]
    assert partials, "a partial at least every second of speech"
    assert len(finals) == 1
    assert "曲轴" in finals[0].transcript.corrected and "总装二线" in finals[0].transcript.corrected
    # nothing left after the endpoint: finish gives an empty (no speech) transcript
    rest = await stream.finish()
    assert rest.no_speech


async def test_whisper_stream_finish_without_trailing_silence(service: SpeechService) -> None:
    stream = service.open_stream("en", "DG")
    pcm = decode(wav("en02.wav")).astype("<i2").tobytes()
    finals: list[Transcript] = []
    for i in range(0, len(pcm), CHUNK):
        event = await stream.accept(pcm[i:i + CHUNK])
        if isinstance(event, Final):  # the fixture's trailing silence may already end it
            finals.append(event.transcript)
    t = finals[0] if finals else await stream.finish()
    assert "connecting rods" in t.corrected.lower() and t.language == "en" and t.engine == "whisper"


async def test_odd_byte_chunks_are_tolerated(service: SpeechService) -> None:
    stream = service.open_stream("zh", "DG")
    assert await stream.accept(b"\x00\x01\x02") == Partial("")  # answered, like every chunk
    assert await stream.accept(b"\x00") is None  # nothing left of it


async def test_the_final_is_decoded_at_the_pause_and_taken_at_the_end(models_dir, vocabulary) -> None:
    """Speech, then silence: the utterance is decoded as soon as the speaker pauses; when the silence then ends the
    utterance (or push-to-talk is released) that decode is the final: one decode in all (captions off here)."""
    from speech import SpeechSettings
    from speech.whisper_engine import WhisperTranscriber

    quiet = SpeechService(SpeechSettings(whisper_dir=models_dir / "whisper-base", partial_interval_s=None),
                          vocabulary)
    stream = quiet.open_stream("zh", "DG")
    pcm = np.concatenate([decode(wav("zh01.wav")), np.zeros(SAMPLE_RATE, dtype=np.int16)]).astype("<i2").tobytes()
    await stream.accept(pcm[:CHUNK])  # loads the engine
    engine = quiet._engine("zh")
    assert isinstance(engine, WhisperTranscriber)
    before = engine.encoder.misses
    finals = [e.transcript for i in range(CHUNK, len(pcm), CHUNK)
              if isinstance(e := await stream.accept(pcm[i:i + CHUNK]), Final)]
    [final] = finals
    assert "曲轴" in final.corrected and "总装二线" in final.corrected
    assert engine.encoder.misses == before + 1  # decoded once, at the pause


async def test_speech_after_the_pause_is_decoded_again(service: SpeechService) -> None:
    """A pause mid-command does not cut it: the final covers everything said, before and after the pause."""
    stream = service.open_stream("zh", "DG")
    first, second = decode(wav("zh02.wav")), decode(wav("zh01.wav"))
    pcm = np.concatenate([first, np.zeros(SAMPLE_RATE // 2, dtype=np.int16), second]).astype("<i2").tobytes()
    finals = []
    for i in range(0, len(pcm), CHUNK):
        event = await stream.accept(pcm[i:i + CHUNK])
        if isinstance(event, Final):
            finals.append(event.transcript)
    final = finals[-1] if finals else await stream.finish()
    assert "曲轴" in final.corrected
