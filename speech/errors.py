"""Typed audio errors: each carries the code the API maps to an HTTP status (415, 400, 413)."""

from __future__ import annotations


class AudioError(Exception):
    """Base of every problem with the audio a client sent (not with the engines)."""

    code: str = "audio-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AudioUnsupported(AudioError):
    """Not audio at all, or a format PyAV cannot read (→ 415)."""

    code = "audio-unsupported"


class AudioCorrupt(AudioError):
    """Audio that starts right but cannot be decoded: truncated or damaged (→ 400)."""

    code = "audio-corrupt"


class AudioTooLarge(AudioError):
    """More bytes than the configured limit (→ 413)."""

    code = "audio-too-large"


class AudioTooLong(AudioError):
    """Longer than the configured duration limit (→ 413)."""

    code = "audio-too-long"


class SpeechUnavailable(Exception):
    """No engine or model for the language asked for (a deployment problem, not the client's)."""


class RecognitionInterrupted(Exception):
    """Recognition ran elsewhere (a worker of the pool) and stopped answering mid-utterance: this utterance is lost,
    the speaker says it again; the connection and the next utterance go on."""

    code = "stt-worker-lost"
