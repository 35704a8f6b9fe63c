"""Speech in: audio → transcript locked to the site's vocabulary, for the turn pipeline.

Public API: `SpeechService` (+ `SpeechSettings`), `StreamSession`, `Transcript`, `Partial`, `Final`,
`Word`, the `AudioError` family, and `prepare_models` for setup. Importing this package loads no model.
"""

from speech.audio import AudioLimits, wav_bytes
from speech.errors import (
    AudioCorrupt,
    AudioError,
    AudioTooLarge,
    AudioTooLong,
    AudioUnsupported,
    RecognitionInterrupted,
    SpeechUnavailable,
)
from speech.models import prepare_models, resolve_vosk_dir, resolve_whisper_dir
from speech.recognizer import Recognizer, UtteranceStream
from speech.results import Correction, Final, Partial, Transcript, Word
from speech.service import SpeechService, StreamSession
from speech.settings import SpeechSettings
from speech.vad import VadSettings

__all__ = [
    "AudioCorrupt",
    "AudioError",
    "AudioLimits",
    "AudioTooLarge",
    "AudioTooLong",
    "AudioUnsupported",
    "Correction",
    "Final",
    "Partial",
    "RecognitionInterrupted",
    "Recognizer",
    "SpeechService",
    "SpeechSettings",
    "SpeechUnavailable",
    "StreamSession",
    "Transcript",
    "UtteranceStream",
    "VadSettings",
    "Word",
    "prepare_models",
    "resolve_vosk_dir",
    "resolve_whisper_dir",
    "wav_bytes",
]
