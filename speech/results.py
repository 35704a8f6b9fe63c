"""What recognition returns: partial text while speaking, and a transcript at the end."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Word:
    """A recognised word (Vosk) or segment word (Whisper) with times in seconds from utterance start."""

    text: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Correction:
    """One span of the raw transcript replaced by a vocabulary phrase, with how well it matched (0-1)."""

    heard: str
    replaced_by: str
    kind: str
    code: str | None
    score: float


@dataclass(frozen=True, slots=True)
class Transcript:
    """The end of one utterance.

    `raw` is what the engine wrote (after Traditional → Simplified), `corrected` the same text locked to
    the site's vocabulary, `text_for_nlu` what to send to the turn pipeline (empty when nothing was heard).
    `low_confidence` is set when the caller should ask the speaker to repeat instead of acting.
    """

    raw: str
    corrected: str
    language: str
    confidence: float
    engine: str
    duration_s: float
    no_speech: bool = False
    low_confidence: bool = False
    words: tuple[Word, ...] = ()
    corrections: tuple[Correction, ...] = field(default=())

    @property
    def text_for_nlu(self) -> str:
        return "" if self.no_speech else self.corrected


@dataclass(frozen=True, slots=True)
class Partial:
    """Text so far in a streaming utterance (raw engine text, may change)."""

    text: str


@dataclass(frozen=True, slots=True)
class Final:
    """The engine detected the end of an utterance while streaming; the session is ready for the next."""

    transcript: Transcript
