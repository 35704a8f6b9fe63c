"""faster-whisper (CTranslate2, int8 on CPU), always from a local directory. Streams are decoded by
`speech.whisper_stream.WhisperStream` on top of this."""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
import time
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from speech.audio import SAMPLE_RATE, Pcm
from speech.engine import Context, EngineResult

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TokenScore:
    """A given text's log-probability under Whisper's decoder (summed over its tokens) and its token count."""

    logprob: float
    tokens: int

    @property
    def mean(self) -> float:
        """Per token: texts of different lengths compare on this."""
        return self.logprob / max(1, self.tokens)


MIN_TOKEN_PROB = 1e-9  # a token the decoder rules out still counts, as a very unlikely one
_NO_SPACE_LANGUAGES = frozenset({"zh", "ja"})  # Whisper writes these without a space before the first word


def ctranslate2_view(array: np.ndarray) -> Any:
    import ctranslate2  # comes with faster-whisper; imported where a model is in use

    return ctranslate2.StorageView.from_array(array)


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

    def clear(self) -> None:
        """Forget every encoding (a benchmark measures new utterances, not repeats)."""
        self._kept.clear()

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


FRAMES_PER_S = 100  # Whisper's log-mel frames
# Scoring given sentences: the decoder attends to the encoding of the speech and 8 s after it (encoder positions,
# 20 ms each), not always to the whole 30 s window. Whisper's decoder looks at the padding after speech to place
# the end of a sentence: with 0.5 s of it the scores were noise (a heard "No." scored below "Yes."), with 3 s still
# off for a long name; from 8 s on they match the full window's (measured on dev-set clips, docs/accuracy.md).
SCORE_TAIL_POSITIONS = 400
SCORE_BATCH = 16  # candidates per decoder pass: each holds its own copy of the encoding
FULL_WINDOW = 3000  # 30 s: what Whisper was trained on
# Only the silence / low-probability rule of faster-whisper's own decoding is needed for single short utterances.
NO_SPEECH_THRESHOLD, LOG_PROB_THRESHOLD = 0.6, -1.0
# Whisper's own test for a decode stuck in a loop ("绿茶绿茶绿茶…", "4 4 4 4 …"): text that compresses more than this
# (faster-whisper's compression_ratio_threshold) is a hallucination, however sure each repeated token looked.
COMPRESSION_RATIO_THRESHOLD = 2.4


# Finals of utterances that end together are decoded in one CTranslate2 call (its Whisper decoder takes a batch of
# encodings natively; a batch of 2-4 costs far less than 2-4 decodes one after the other): a decode that finds no
# other waiting collects arrivals for at most BATCH_WAIT_S, up to MAX_BATCH.
MAX_BATCH = 4
BATCH_WAIT_S = 0.02


@dataclass(eq=False, slots=True)
class _Request:
    """One decode waiting for the engine: done by whichever thread leads the batch it joins."""

    pcm: Pcm
    language: str | None
    prompt: str
    beam_size: int
    window: int
    max_new_tokens: int | None = None  # a caption's budget; None: the model's limit
    result: EngineResult | None = None
    error: BaseException | None = None
    done: bool = False


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


class WhisperTranscriber:
    """One decode = features → encoder (cached per utterance) → CTranslate2's beam search, temperature 0, no
    timestamps: faster-whisper's own decoding for one utterance under 30 s, with the encoding kept in our hands.

    `window_s`: the audio window the encoder sees. Whisper was trained on 30 s; CTranslate2 also encodes a shorter
    window, several times faster for a short command. Utterances that do not fit keep the full window."""

    engine = "whisper"

    def __init__(self, model_dir: Path, *, threads: int = 2, beam_size: int = 2,
                 allowed_languages: tuple[str, ...] = ("zh", "en"), window_s: float = 30.0,
                 max_batch: int = MAX_BATCH, batch_wait_s: float = BATCH_WAIT_S) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local path never needs the hub; make sure of it
        from faster_whisper import WhisperModel  # heavy import, deferred until a model is wanted

        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads,
                                   num_workers=1, local_files_only=True)
        self.encoder = EncoderCache(self._model.encode)
        self._beam_size = beam_size
        self._allowed = allowed_languages
        self._window = min(FULL_WINDOW, round(window_s * FRAMES_PER_S))
        # One decode at a time: two on a 2-core machine are each slower than one after the other. Decodes that
        # wait at the same moment go together, as one batch (`recognize`).
        self._lock = threading.Lock()
        self._arrived = threading.Condition()
        self._pending: list[_Request] = []
        self.max_batch, self.batch_wait_s = max_batch, batch_wait_s
        self.batch_sizes: Counter[int] = Counter()  # CTranslate2 generate calls by batch size
        log.info("speech.whisper.loaded", model_dir=str(model_dir), beam_size=beam_size, window_s=window_s)

    def recognize(self, pcm: Pcm, context: Context, *, beam_size: int | None = None,
                  window_s: float | None = None, max_new_tokens: int | None = None) -> EngineResult:
        """`window_s` overrides the encoder window for this decode (a caption may see less than the final);
        `max_new_tokens` caps the text (a caption stuck repeating itself stops there instead of at 448 tokens).

        Blocking, and safe from several threads: decodes that wait together (two headsets' finals) are decoded in
        one batch by the first of them to get the engine; each gets exactly what it would have got alone."""
        window = self._window if window_s is None else min(FULL_WINDOW, round(window_s * FRAMES_PER_S))
        request = _Request(pcm, context.language or None, context.prompt, beam_size or self._beam_size, window,
                           max_new_tokens)
        with self._arrived:
            self._pending.append(request)
            self._arrived.notify_all()
        with self._lock:
            if not request.done:
                self._lead(request)
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _lead(self, request: _Request) -> None:
        """Under the engine lock: decode `request` with the others of its kind waiting (beam and window alike),
        collecting arrivals for a few ms."""
        def kind(other: _Request) -> bool:
            return (other.beam_size, other.window, other.max_new_tokens) == (request.beam_size, request.window,
                                                                             request.max_new_tokens)

        # A final waits a moment for others (headsets finishing together arrive within ms of each other) unless the
        # batch is full; a caption (greedy) never waits.
        deadline = time.monotonic() + (self.batch_wait_s if request.beam_size > 1 else 0.0)
        with self._arrived:
            while sum(map(kind, self._pending)) < self.max_batch and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            batch = [request, *[r for r in self._pending if r is not request and kind(r)][:self.max_batch - 1]]
            self._pending = [r for r in self._pending if r not in batch]
        try:
            encoded = [self._encode(r.pcm, r.window) for r in batch]
            languages = [r.language if r.language in self._allowed else self._detect(e)
                         for r, e in zip(batch, encoded, strict=True)]
            for r, result in zip(batch, self._generate(encoded, languages, [r.prompt for r in batch],
                                                        request.beam_size, request.max_new_tokens), strict=True):
                r.result = result
        except BaseException as error:  # every caller of the batch hears of it, not only the leader
            for r in batch:
                r.error = error
            raise
        finally:
            for r in batch:
                r.done = True

    def detect_language(self, pcm: Pcm) -> str:
        """The most likely of our languages (not of Whisper's 99: short commands fool it). The encoding is kept,
        so the decode that follows does not encode again."""
        with self._lock:
            return self._detect(self._encode(pcm, self._window))

    def _encode(self, pcm: Pcm, window: int) -> Any:
        from faster_whisper.audio import pad_or_trim

        features = self._model.feature_extractor(pcm.astype(np.float32) / 32768.0)
        content = features[:, : features.shape[-1] - 1]  # as faster-whisper: the last frame is not content
        # A short window only when the speech fits with a margin: the encoder must never cut a word off.
        frames = window if content.shape[-1] + FRAMES_PER_S // 2 <= window else FULL_WINDOW
        return self.encoder(pad_or_trim(content, frames))

    def score(self, pcm: Pcm, language: str, texts: Sequence[str], prompt: str = "") -> list[TokenScore]:
        """How likely Whisper's decoder finds each text as the transcript of `pcm`, after `prompt`: the sum of its
        tokens' log-probabilities and their number. One forward pass per batch of texts (CTranslate2's `align`
        returns each given token's probability); the utterance's encoding comes from the cache, so scoring right
        after a decode of the same audio does not encode again."""
        from faster_whisper.tokenizer import Tokenizer

        if not texts:
            return []
        tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual, task="transcribe",
                              language=language)
        previous = tokenizer.encode(" " + prompt.strip()) if prompt else []
        # `align` appends <|notimestamps|> itself, and <|endoftext|> after the text (whose probability it skips).
        start = self._model.get_prompt(tokenizer, previous, without_timestamps=False)
        lead = "" if language in _NO_SPACE_LANGUAGES else " "
        token_ids = [tokenizer.encode(lead + text.strip()) or [tokenizer.eot] for text in texts]
        with self._lock:
            encoded = np.asarray(self._encode(pcm, self._window))
        positions = min(encoded.shape[1], math.ceil(len(pcm) / SAMPLE_RATE * FRAMES_PER_S / 2)
                        + SCORE_TAIL_POSITIONS)
        memory = encoded[:, :positions, :]
        scores: list[TokenScore] = []
        for at in range(0, len(token_ids), SCORE_BATCH):
            batch = token_ids[at:at + SCORE_BATCH]
            tiled = ctranslate2_view(np.ascontiguousarray(np.repeat(memory, len(batch), axis=0)))
            with self._lock:
                results = self._model.model.align(tiled, start, batch, positions * 2)
            for ids, result in zip(batch, results, strict=True):
                probs = np.maximum(np.asarray(result.text_token_probs, dtype=np.float64), MIN_TOKEN_PROB)
                scores.append(TokenScore(float(np.log(probs).sum()), len(ids)))
        return scores

    def _detect(self, encoded: Any) -> str:
        probs = self._model.model.detect_language(encoded)[0]
        ours = [(p, token[2:-2]) for token, p in probs if token[2:-2] in self._allowed]
        return max(ours)[1] if ours else self._allowed[0]

    def _generate(self, encoded: Sequence[Any], languages: Sequence[str], prompts: Sequence[str],
                  beam_size: int, max_new_tokens: int | None = None) -> list[EngineResult]:
        """Decode encodings, each with its language and prompt, in as few CTranslate2 calls as it allows: one per
        encoding shape (a short window applies only to speech that fits in it) and prompt length (its decoder needs
        <|startoftranscript|> at one position in a batch; padding a prompt would change the transcript)."""
        from faster_whisper.tokenizer import Tokenizer

        tokenizers = [Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual, task="transcribe",
                                language=language) for language in languages]
        tokens = [self._model.get_prompt(t, t.encode(" " + p.strip()) if p else [], without_timestamps=True)
                  for t, p in zip(tokenizers, prompts, strict=True)]
        groups: dict[tuple[tuple[int, ...], int], list[int]] = {}
        for i, (e, t) in enumerate(zip(encoded, tokens, strict=True)):
            groups.setdefault((tuple(e.shape), len(t)), []).append(i)
        results: list[EngineResult | None] = [None] * len(encoded)
        for group in groups.values():
            outputs = self._generate_batch([encoded[i] for i in group], [tokens[i] for i in group], beam_size,
                                           tokenizers[group[0]], max_new_tokens)
            for i, output in zip(group, outputs, strict=True):
                results[i] = _result(output, tokenizers[i], languages[i])
        return [r for r in results if r is not None]

    def _generate_batch(self, encoded: Sequence[Any], prompts: list[list[int]], beam_size: int,
                        tokenizer: Any, max_new_tokens: int | None = None) -> list[Any]:
        """One CTranslate2 call (the suppressed tokens do not depend on the language). CTranslate2's max_length
        counts the prompt too (faster-whisper's max_new_tokens is added to the prompt's length the same way)."""
        from faster_whisper.transcribe import get_suppressed_tokens

        # One utterance goes as it always did; several are stacked into one [batch, positions, width] input.
        features = encoded[0] if len(encoded) == 1 else ctranslate2_view(
            np.ascontiguousarray(np.concatenate([np.asarray(e) for e in encoded], axis=0)))
        max_length = self._model.max_length
        if max_new_tokens is not None:
            max_length = min(max_length, max(map(len, prompts)) + max_new_tokens)
        self.batch_sizes[len(encoded)] += 1
        if len(encoded) > 1:
            log.info("speech.batched", size=len(encoded), beam_size=beam_size)
        return list(self._model.model.generate(
            features, prompts, beam_size=beam_size, patience=1.0, length_penalty=1.0,
            repetition_penalty=1.0, no_repeat_ngram_size=0, max_length=max_length, return_scores=True,
            return_no_speech_prob=True, suppress_blank=True, suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            max_initial_timestamp_index=50))


def _result(result: Any, tokenizer: Any, language: str) -> EngineResult:
    """faster-whisper's reading of one generation result, for one utterance under 30 s."""
    tokens = result.sequences_ids[0]
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    text = tokenizer.decode(tokens).strip()
    if not text or (result.no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob <= LOG_PROB_THRESHOLD):
        return EngineResult("", 0.0, (), language)  # silence, as faster-whisper would skip the segment
    confidence = math.exp(avg_logprob) * (1.0 - result.no_speech_prob)
    if compression_ratio(text) > COMPRESSION_RATIO_THRESHOLD:
        log.info("speech.decode-looped", ratio=round(compression_ratio(text), 2))
        confidence = 0.0  # not heard: asked again, never acted on
    return EngineResult(text, round(confidence, 3), (), language)


_LIST_SEPARATORS = re.compile(r"[,，、。.;；\s]*[,，、。.;；][,，、。.;；\s]*")


PROMPT_DOUBT = 0.5  # below this a prompted decode is checked against a plain one (a sure one costs one decode)
# A transcript that is nothing but one name of the prompt may be the prompt talking: it counts for less.
BARE_NAME_DISCOUNT = 0.8


def prompted_decode(engine: WhisperTranscriber, speech: Pcm, context: Context) -> EngineResult:
    """Decode with the site's prompt (it fixes names and numerals), but not blindly: a transcript that recites
    the prompt is decoded again without it, and a doubtful one, often a short phrase pulled towards a name
    ("cancel that" → "camshaft,"), is compared with a plain decode; the surer of the two wins. With the site's
    domain in the context, the result is then rescored against what the site could have meant."""
    result = _free_decode(engine, speech, context)
    if context.domain is not None:
        return context.domain.decode(engine, speech, result)
    return result


def _free_decode(engine: WhisperTranscriber, speech: Pcm, context: Context) -> EngineResult:
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
