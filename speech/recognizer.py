"""What the app needs of speech recognition, whoever does it: `SpeechService` in this process, or a client of the
recognition workers (`assistant.recognition.RemoteSpeech`). The server and the pipeline are written against these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from speech.lexicon import Names
from speech.results import Final, Partial, Transcript


class UtteranceStream(Protocol):
    """One connection's utterances, one after another: `accept` answers every chunk, `finish` ends the utterance."""

    async def accept(self, pcm: bytes) -> Partial | Final | None: ...

    async def finish(self) -> Transcript: ...

    async def close(self) -> None:
        """The connection ended: free what the current utterance holds."""


class Recognizer(Protocol):
    async def transcribe(self, audio: bytes, content_type: str | None = None, lang_hint: str | None = None,
                         site: str | None = None) -> Transcript: ...

    def open_stream(self, lang: str | None, site: str | None, sample_rate: int = 16000) -> UtteranceStream: ...

    async def warm_up(self, languages: Sequence[str] | None = None) -> None: ...

    def use_vocabulary(self, vocabulary: Names) -> None: ...
