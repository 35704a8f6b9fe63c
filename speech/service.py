"""`SpeechService`: the one entry point the server uses. Built once; loads each model on first use
(never at import), shares it between connections, and runs blocking recognition in worker threads."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import structlog
import zhconv

from speech.audio import SAMPLE_RATE, Pcm, decode, resample
from speech.candidates import CandidateGenerator
from speech.closed_domain import ClosedDomain
from speech.correct import Corrector
from speech.engine import Context, EngineResult, EngineStream, Transcriber
from speech.errors import SpeechUnavailable
from speech.lexicon import Names, build_lexicon
from speech.models import resolve_vosk_dir, resolve_whisper_dir
from speech.results import Final, Partial, Transcript
from speech.settings import SpeechSettings
from speech.vad import speech_span
from speech.vosk_engine import VoskStream, VoskTranscriber
from speech.whisper_engine import WhisperTranscriber, prompted_decode
from speech.whisper_stream import WhisperStream

log = structlog.get_logger(__name__)


class SpeechService:
    def __init__(self, settings: SpeechSettings, vocabulary: Names) -> None:
        self.settings = settings
        self._vocabulary = vocabulary
        self._engines: dict[str, Transcriber] = {}
        self._correctors: dict[tuple[str, str | None], tuple[Corrector, Context]] = {}
        self._lock = threading.Lock()

    # -- configuration ---------------------------------------------------------------------------
    def engine_name(self, language: str) -> str:
        choice = self.settings.engines.get(language, "auto")
        if choice == "auto":
            return "vosk" if self._vosk_dir(language) is not None else "whisper"
        return choice

    def use_vocabulary(self, vocabulary: Names) -> None:
        """Names changed (a customer registered): lexicons and grammars are rebuilt on the next recognition."""
        with self._lock:
            self._vocabulary = vocabulary
            self._correctors.clear()

    def _vosk_dir(self, language: str) -> Path | None:
        return resolve_vosk_dir(language, self.settings.vosk_dirs.get(language))

    def _engine(self, language: str) -> Transcriber:
        """The loaded engine for a language (loaded once, under a lock: loading takes seconds)."""
        name = self.engine_name(language)
        key = f"vosk:{language}" if name == "vosk" else "whisper"
        with self._lock:
            if key not in self._engines:
                self._engines[key] = self._load(name, language)
            return self._engines[key]

    def _load(self, name: str, language: str) -> Transcriber:
        if name == "vosk":
            model_dir = self._vosk_dir(language)
            if model_dir is None and not self.settings.allow_download:
                raise SpeechUnavailable(f"no Vosk model for {language!r}")
            return VoskTranscriber(model_dir, language, allow_download=self.settings.allow_download,
                                   use_grammar=self.settings.vosk_grammar)
        whisper_dir = resolve_whisper_dir(self.settings.whisper_dir)
        if whisper_dir is None:
            raise SpeechUnavailable("Whisper model not prepared: run `make setup` (speech.models.prepare_models)")
        return WhisperTranscriber(whisper_dir, threads=self.settings.whisper_threads,
                                  window_s=self.settings.whisper_window_s,
                                  beam_size=self.settings.whisper_beam_size, allowed_languages=self.settings.languages)

    def _site(self, language: str, site: str | None, engine: Transcriber) -> tuple[Corrector, Context]:
        """Corrector and engine context of one site and language, built once."""
        key = (language, site)
        with self._lock:
            if key not in self._correctors:
                lexicon = build_lexicon(self._vocabulary, language, site, self.settings.commands,
                                        self.settings.numerals)
                grammar: tuple[str, ...] = ()
                if isinstance(engine, VoskTranscriber) and engine.supports_grammar:
                    grammar = engine.grammar(lexicon.words())
                corrector = Corrector(lexicon)
                domain = None
                if self.settings.closed_domain and isinstance(engine, WhisperTranscriber):
                    domain = ClosedDomain(CandidateGenerator(lexicon), slack=self.settings.closed_domain_slack)
                self._correctors[key] = (corrector, Context(language, lexicon.prompt, grammar, domain))
            return self._correctors[key]

    async def warm_up(self, languages: Sequence[str] | None = None) -> None:
        """Load the engines now (at startup) rather than on the first request."""
        for language in languages or self.settings.languages:
            await asyncio.to_thread(self._engine, language)

    # -- one-shot ------------------------------------------------------------------------------------
    async def transcribe(self, audio: bytes, content_type: str | None = None, lang_hint: str | None = None,
                         site: str | None = None) -> Transcript:
        """A whole recording (a WeChat voice message, a push-to-talk clip) → Transcript.

        Raises an `AudioError` for bad input; silence or noise gives a Transcript with `no_speech`."""
        pcm = await asyncio.to_thread(decode, audio, content_type, self.settings.limits)
        return await asyncio.to_thread(self._transcribe_pcm, pcm, lang_hint, site)

    def _transcribe_pcm(self, pcm: Pcm, lang_hint: str | None, site: str | None) -> Transcript:
        started = time.perf_counter()
        duration = len(pcm) / SAMPLE_RATE
        language = lang_hint if lang_hint in self.settings.languages else None
        span = speech_span(pcm, self.settings.vad)
        if span is None:
            return self._no_speech(language or self.settings.default_language, duration)
        speech = pcm[span[0]:span[1]]
        if language is None and self.engine_name(self.settings.default_language) == "whisper":
            result = self._whisper_any_language(speech, site)
        else:
            language = language or self.settings.default_language
            engine = self._engine(language)
            context = self._site(language, site, engine)[1]
            result = (prompted_decode(engine, speech, context) if isinstance(engine, WhisperTranscriber)
                      else engine.recognize(speech, context))
        transcript = self._finish(result, result.language or language or self.settings.default_language,
                                  site, duration)
        log.info("speech.transcribed", engine=transcript.engine, language=transcript.language,
                 duration_s=round(duration, 2), elapsed_s=round(time.perf_counter() - started, 3),
                 raw=transcript.raw, corrected=transcript.corrected, confidence=transcript.confidence)
        return transcript

    def _whisper_any_language(self, speech: Pcm, site: str | None) -> EngineResult:
        """No hint: Whisper's language detector picks among our languages, then one decode with that
        language's prompt (the prompt fixes names and numerals)."""
        engine = self._engine(self.settings.default_language)
        assert isinstance(engine, WhisperTranscriber)
        language = engine.detect_language(speech)
        return prompted_decode(engine, speech, self._site(language, site, engine)[1])


    def _finish(self, result: EngineResult, language: str, site: str | None, duration: float) -> Transcript:
        engine = self._engine(language)
        corrector, _ = self._site(language, site, engine)
        raw = zhconv.convert(result.text, "zh-cn") if language == "zh" else result.text
        if not raw.strip():
            return self._no_speech(language, duration, engine.engine)
        fixed = corrector.correct(raw)
        confidence = round(result.confidence * fixed.quality, 3)
        return Transcript(
            raw=raw, corrected=fixed.text, language=language, confidence=confidence, engine=engine.engine,
            duration_s=round(duration, 3), low_confidence=confidence < self.settings.min_confidence,
            words=result.words, corrections=fixed.corrections,
        )

    def _no_speech(self, language: str, duration: float, engine: str | None = None) -> Transcript:
        return Transcript("", "", language, 0.0, engine or self.engine_name(language), round(duration, 3),
                          no_speech=True, low_confidence=True)

    # -- streaming ---------------------------------------------------------------------------------
    def open_stream(self, lang: str | None, site: str | None, sample_rate: int = SAMPLE_RATE) -> StreamSession:
        """A per-connection session of 16-bit mono PCM at `sample_rate`; models load on the first chunk.
        With no language (or one we do not serve) and Whisper as the default engine, each utterance's
        language is detected when it ends."""
        fixed = lang if lang in self.settings.languages else None
        auto = fixed is None and self.engine_name(self.settings.default_language) == "whisper"
        return StreamSession(self, fixed or self.settings.default_language, site, sample_rate, detect=auto)

    def _open_engine_stream(self, language: str, site: str | None, detect: bool = False) -> EngineStream:
        engine = self._engine(language)
        context = self._site(language, site, engine)[1]
        if isinstance(engine, WhisperTranscriber):
            def context_for(detected: str) -> Context:
                return self._site(detected, site, engine)[1]

            return WhisperStream(engine, context, self.settings.vad, self.settings.partial_interval_s,
                                 context_for if detect else None)
        assert isinstance(engine, VoskTranscriber)
        return VoskStream(engine.open_session(context))


class StreamSession:
    """Utterance after utterance on one connection: `accept` chunks (each answered: a `Partial`, perhaps unchanged,
    or the `Final` when the speaker stopped), `finish` at push-to-talk release."""

    def __init__(self, service: SpeechService, language: str, site: str | None, sample_rate: int,
                 detect: bool = False) -> None:
        self._service = service
        self.language = language
        self._detect = detect
        self._site = site
        self._rate = sample_rate
        self._stream: EngineStream | None = None
        self._samples = 0

    async def _engine_stream(self) -> EngineStream:
        if self._stream is None:  # the engine loads on first use (in a worker thread: it takes seconds)
            self._stream = await asyncio.to_thread(self._service._open_engine_stream, self.language, self._site,
                                                   self._detect)
        return self._stream

    async def accept(self, pcm: bytes) -> Partial | Final | None:
        if len(pcm) % 2:
            pcm = pcm[:-1]  # a chunk split mid-sample: drop the odd byte rather than shift every sample
        if not pcm:
            return None
        samples = resample(np.frombuffer(pcm, dtype="<i2").astype(np.int16), self._rate)
        self._samples += len(samples)
        event = await (await self._engine_stream()).accept(samples)
        if isinstance(event, EngineResult):
            return Final(self._transcript(event))
        return Partial(event)

    async def finish(self) -> Transcript:
        result = await (await self._engine_stream()).finish()
        return self._transcript(result)

    async def close(self) -> None:
        """The connection ended: nothing to free here (the engine is shared; a running decode just ends)."""

    def _transcript(self, result: EngineResult) -> Transcript:
        duration = self._samples / SAMPLE_RATE
        self._samples = 0
        language = result.language if self._detect and result.language else self.language
        return self._service._finish(result, language, self._site, duration)
