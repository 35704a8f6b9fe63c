"""One utterance is encoded once: language detection, the prompted and the plain decode reuse the encoding (the
encoder is most of a short command's cost); other audio is encoded afresh."""

from __future__ import annotations

import numpy as np

from speech import SpeechService
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
