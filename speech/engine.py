"""The `Transcriber` interface every engine implements. Its methods are blocking: callers run them with
`asyncio.to_thread`. A transcriber holds a loaded model (shared); streams are per connection and async."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from speech.audio import Pcm
from speech.results import Word


@dataclass(frozen=True, slots=True)
class EngineResult:
    text: str
    confidence: float
    words: tuple[Word, ...] = ()
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What the site's lexicon tells an engine: a prompt (Whisper) and grammar words (Vosk)."""

    language: str
    prompt: str = ""
    grammar: tuple[str, ...] = ()


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
