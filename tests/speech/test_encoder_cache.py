"""One utterance is encoded once: language detection, the prompted and the plain decode reuse the encoding (the
encoder is most of a short command's cost); other audio is encoded afresh."""

from __future__ import annotations

import numpy as np

from speech import SpeechService
from speech.engine import Context
from speech.whisper_engine import EncoderCache, WhisperTranscriber
from tests.speech.conftest import wav


async def test_an_utterance_is_encoded_once_whatever_is_decoded_from_it(service: SpeechService) -> None:
    engine = service._engine("zh")
    assert isinstance(engine, WhisperTranscriber)
    before = engine.encoder.misses
    # No language given: detection, then the prompted decode (and a plain one when it is doubtful).
    first = await service.transcribe(wav("en06.wav"), "audio/wav", None, "DG")
    assert engine.encoder.misses == before + 1 and first.text_for_nlu
    again = await service.transcribe(wav("en06.wav"), "audio/wav", None, "DG")
    assert engine.encoder.misses == before + 1 and again.corrected == first.corrected
    await service.transcribe(wav("zh01.wav"), "audio/wav", None, "DG")
    assert engine.encoder.misses == before + 2


def test_the_cache_keys_on_the_features_and_forgets_the_oldest() -> None:
    calls: list[int] = []

    def encode(features: np.ndarray) -> int:
        calls.append(int(features[0, 0]))
        return int(features[0, 0])

    cache = EncoderCache(encode, size=2)
    a, b, c = (np.full((2, 2), v, dtype=np.float32) for v in (1, 2, 3))
    assert [cache(a), cache(a), cache(b), cache(c), cache(a)] == [1, 1, 2, 3, 1]
    assert calls == [1, 2, 3, 1]  # a was forgotten when c came (size 2), so encoded again


def test_a_shorter_window_encodes_a_short_command_only(models_dir) -> None:
    """`whisper_window_s`: a command that fits the window (with half a second to spare) is encoded in it; a longer
    utterance keeps Whisper's full 30 s window, so no word is ever cut off."""
    from speech.audio import decode

    engine = WhisperTranscriber(models_dir / "whisper-base", window_s=10.0)
    short = decode(wav("zh01.wav"))  # 3.4 s
    assert engine._encode(short, 1000).shape == [1, 500, 512]  # 10 s of frames, halved by the encoder's stride
    long = np.concatenate([short] * 3)  # 10.1 s: does not fit with the margin
    assert engine._encode(long, 1000).shape == [1, 1500, 512]
    # The mechanism decodes; whether a shorter window hears as well is the voice dev set's question.
    assert engine.recognize(short, Context("zh")).text
