"""The `Transcriber` interface every engine implements. Its methods are blocking: callers run them with
`asyncio.to_thread`. A transcriber holds a loaded model (shared); streams are per connection and async."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from speech.audio import Pcm
from speech.results import Word


@dataclass(frozen=True, slots=True)
class EngineResult:
    text: str
    confidence: float
    words: tuple[Word, ...] = ()
    language: str | None = None


class Rescoring(Protocol):
    """Closed-domain decoding (`speech.closed_domain.ClosedDomain`): the free decode, or a sentence of the site's
    domain that the engine's own decoder finds about as probable for the same audio."""

    def decode(self, scorer: Any, speech: Pcm, free: EngineResult) -> EngineResult: ...


@dataclass(frozen=True, slots=True)
class Context:
    """What the site's lexicon tells an engine: a prompt (Whisper), grammar words (Vosk) and, when closed-domain
    decoding is on, the site's domain to rescore the free decode against (Whisper)."""

    language: str
    prompt: str = ""
    grammar: tuple[str, ...] = ()
    domain: Rescoring | None = field(default=None, compare=False)


class EngineStream(Protocol):
    """One connection's utterances, one after another. Never blocks the event loop."""

    async def accept(self, pcm: Pcm) -> EngineResult | str:
        """Feed 16 kHz mono audio: the result when an utterance ended, else the caption so far (maybe unchanged:
        every chunk gets an answer, as vosk-server gives one)."""

    async def finish(self) -> EngineResult:
        """End the utterance now; the stream is reset and ready for the next one."""


class Transcriber(Protocol):
    engine: str

    def recognize(self, pcm: Pcm, context: Context) -> EngineResult: ...
