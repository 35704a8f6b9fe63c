"""faster-whisper (CTranslate2, int8 on CPU), always from a local directory. Streams are decoded by
`speech.whisper_stream.WhisperStream` on top of this."""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from speech.audio import Pcm
from speech.engine import Context, EngineResult
from speech.results import Word

log = structlog.get_logger(__name__)


class EncoderCache:
    """Whisper's encoder is most of the cost of decoding a short command (it always sees a 30 s window) and does
    not depend on the prompt or the language: the same audio decoded again — language detection, the prompted and
    the plain decode of one utterance — reuses its encoding. Keyed by the features themselves, so different audio
    can never share one."""

    def __init__(self, encode: Callable[[np.ndarray], Any], size: int = 3) -> None:
        self._encode = encode
        self._size = size
        self._kept: OrderedDict[bytes, Any] = OrderedDict()
        self.hits = self.misses = 0

    def __call__(self, features: np.ndarray) -> Any:
        key = hashlib.blake2b(np.ascontiguousarray(features).tobytes(), digest_size=16).digest()
        if key in self._kept:
            self._kept.move_to_end(key)
            self.hits += 1
            return self._kept[key]
        self.misses += 1
        output = self._encode(features)
        self._kept[key] = output
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return output


class WhisperTranscriber:
    engine = "whisper"

    def __init__(self, model_dir: Path, *, threads: int = 2, beam_size: int = 2, word_timestamps: bool = False,
                 allowed_languages: tuple[str, ...] = ("zh", "en")) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local path never needs the hub; make sure of it
        from faster_whisper import WhisperModel  # heavy import, deferred until a model is wanted

        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads,
                                   num_workers=1, local_files_only=True)
        # faster-whisper encodes through this method for transcription and language detection alike.
        self.encoder = EncoderCache(self._model.encode)
        self._model.encode = self.encoder
        self._beam_size = beam_size
        self._word_timestamps = word_timestamps
        self._allowed = allowed_languages
        # One decode at a time: two on a 2-core machine are each slower than one after the other.
        self._lock = threading.Lock()
        log.info("speech.whisper.loaded", model_dir=str(model_dir), beam_size=beam_size)

    def recognize(self, pcm: Pcm, context: Context, *, beam_size: int | None = None) -> EngineResult:
        audio = pcm.astype(np.float32) / 32768.0
        language = context.language or None
        with self._lock:
            text, conf, words, detected = self._decode(audio, language, context.prompt, beam_size or self._beam_size)
            if language is None and detected not in self._allowed:
                # Detected a language we do not serve (short commands fool the detector): use ours.
                text, conf, words, detected = self._decode(audio, self._allowed[0], context.prompt,
                                                           beam_size or self._beam_size)
        return EngineResult(text, conf, words, detected)

    def detect_language(self, pcm: Pcm) -> str:
        """The most likely of our languages (not of Whisper's 99: short commands fool it). The audio is encoded as
        the decode that follows will encode it, so that decode reuses the encoding."""
        from faster_whisper.audio import pad_or_trim

        audio = pcm.astype(np.float32) / 32768.0
        with self._lock:
            features = self._model.feature_extractor(audio)
            encoded = self.encoder(pad_or_trim(features[:, : features.shape[-1] - 1]))
            probs = self._model.model.detect_language(encoded)[0]
        ours = [(p, token[2:-2]) for token, p in probs if token[2:-2] in self._allowed]
        return max(ours)[1] if ours else self._allowed[0]

    def _decode(self, audio: Any, language: str | None, prompt: str,
                beam_size: int) -> tuple[str, float, tuple[Word, ...], str]:
        segments, info = self._model.transcribe(
            audio, language=language, beam_size=beam_size, initial_prompt=prompt or None,
            condition_on_previous_text=False, without_timestamps=not self._word_timestamps,
            word_timestamps=self._word_timestamps, vad_filter=False, temperature=0.0,
        )
        texts: list[str] = []
        logprobs: list[float] = []
        no_speech: list[float] = []
        words: list[Word] = []
        for seg in segments:
            texts.append(seg.text)
            logprobs.append(seg.avg_logprob)
            no_speech.append(seg.no_speech_prob)
            words += [Word(w.word.strip(), w.start, w.end, w.probability) for w in seg.words or ()]
        if not texts:
            return "", 0.0, (), info.language
        confidence = math.exp(sum(logprobs) / len(logprobs)) * (1.0 - max(no_speech))
        return "".join(texts).strip(), round(confidence, 3), tuple(words), info.language

_LIST_SEPARATORS = re.compile(r"[,，、。.;；\s]*[,，、。.;；][,，、。.;；\s]*")


PROMPT_DOUBT = 0.5  # below this a prompted decode is checked against a plain one (a sure one costs one decode)
# A transcript that is nothing but one name of the prompt may be the prompt talking: it counts for less.
BARE_NAME_DISCOUNT = 0.8


def prompted_decode(engine: WhisperTranscriber, speech: Pcm, context: Context) -> EngineResult:
    """Decode with the site's prompt (it fixes names and numerals), but not blindly: a transcript that recites
    the prompt is decoded again without it, and a doubtful one, often a short phrase pulled towards a name
    ("cancel that" → "camshaft,"), is compared with a plain decode; the surer of the two wins."""
    result = engine.recognize(speech, context)
    if not context.prompt:
        return result
    if prompt_echo(result.text, context):
        return engine.recognize(speech, Context(context.language))
    if result.confidence < PROMPT_DOUBT:
        bare = _bare_name(result.text, context)
        plain = engine.recognize(speech, Context(context.language))
        if plain.text.strip() and plain.confidence > result.confidence * (BARE_NAME_DISCOUNT if bare else 1.0):
            log.info("speech.prompt-overruled", prompted=result.text, plain=plain.text,
                     confidence=(result.confidence, plain.confidence))
            return plain
    return result


def _bare_name(text: str, context: Context) -> bool:
    pieces = [p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip()]
    return len(pieces) == 1 and pieces[0] in context.prompt


def prompt_echo(text: str, context: Context) -> bool:
    """Whisper on noise or a short word sometimes recites its prompt ("camshaft, camshaft,"). A command
    is never a bare list of names, so such a transcript is decoded again without the prompt."""
    pieces = [p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip()]
    return len(pieces) >= 2 and all(p in context.prompt for p in pieces)
