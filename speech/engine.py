"""The `Transcriber` interface every engine implements. Methods are blocking: callers run them with
`asyncio.to_thread`. A transcriber holds a loaded model (shared); sessions are per connection."""

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


class EngineSession(Protocol):
    def accept(self, pcm: Pcm) -> EngineResult | str | None:
        """Feed 16 kHz mono audio: a result when an utterance ended, partial text, or nothing new."""

    def finish(self) -> EngineResult:
        """End the utterance now; the session is reset and ready for the next one."""


class Transcriber(Protocol):
    engine: str

    def recognize(self, pcm: Pcm, context: Context) -> EngineResult: ...

    def open_session(self, context: Context) -> EngineSession: ...
