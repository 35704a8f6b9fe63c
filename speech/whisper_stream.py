"""Whisper on a live stream, decoded while the worker speaks.

Whisper is not a streaming recogniser: each decode reads a whole utterance. So the stream keeps the audio, the VAD
(Silero) finds where speech starts, pauses and ends, and decodes run in the background, at most one at a time:

* at a pause (`pause_s` of silence after speech) the utterance so far is decoded as the final would be — if the
  worker has finished, that *is* the final, already done or under way when push-to-talk is released;
* during longer speech a caption (a greedy decode in a short encoder window) every `partial_interval_s`, only when
  nothing else is decoding: a caption that would be late is skipped, never queued;
* at the end (VAD endpoint or release) the final decode runs only if speech came after the last pause's decode.

Every audio chunk is answered at once with the latest caption (vosk-server's framing: one message per frame)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import structlog

from speech.audio import SAMPLE_RATE, Pcm
from speech.engine import Context, EngineResult
from speech.vad import FRAME, Endpointer, VadSettings
from speech.whisper_engine import WhisperTranscriber, prompted_decode

log = structlog.get_logger(__name__)
# A caption is cheap (issue 15): its encoder window fits the speech so far (the encoder's cost grows with the window,
# and a caption is decoded every second), and its text has a budget proportional to that speech (a greedy decode
# stuck repeating itself stops there, not at 448 tokens). A longer utterance gets the full window.
CAPTION_MIN_WINDOW_S = 3.0
CAPTION_MARGIN_S = 1.0  # the window is the speech plus this (`_encode` also keeps a half-second margin)
CAPTION_TOKENS_PER_S = 10  # Mandarin speech runs 4-6 characters a second, Whisper spends 1-2 tokens a character
CAPTION_MIN_TOKENS = 8


def caption_budget(seconds: float) -> tuple[float, int]:
    """The encoder window and the token budget of a caption of `seconds` of speech."""
    window = max(CAPTION_MIN_WINDOW_S, seconds + CAPTION_MARGIN_S)
    return window, max(CAPTION_MIN_TOKENS, round(seconds * CAPTION_TOKENS_PER_S))


@dataclass(frozen=True, slots=True)
class Utterance:
    """The speech heard so far, padded: `version` is where its last voiced frame ended, so two snapshots with one
    version hold the same speech (a final decoded at a pause stays valid through the silence that follows)."""

    audio: Pcm
    version: int


@dataclass
class _Decoding:
    task: asyncio.Task[EngineResult]
    version: int
    final: bool


class WhisperStream:
    def __init__(self, engine: WhisperTranscriber, context: Context, vad: VadSettings,
                 partial_interval_s: float | None, context_for: Callable[[str], Context] | None = None) -> None:
        self._engine = engine
        self._context = context
        # Set when the connection fixes no language: each utterance's language is detected (a bilingual worker
        # may switch between commands), then decoded with that language's prompt.
        self._context_for = context_for
        self._vad = vad
        self._pause_s = max(vad.pause_s, vad.pad_s)  # the pad after the last word must have arrived
        self._caption_every = None if partial_interval_s is None else int(partial_interval_s * SAMPLE_RATE)
        self._endpointer = Endpointer(vad)
        self._buffer: list[Pcm] = []
        self._samples = 0
        self._last_caption_at = 0
        self._decoding: _Decoding | None = None
        self._caption = ""

    # -- the connection's side ---------------------------------------------------------------------------
    async def accept(self, pcm: Pcm) -> EngineResult | str:
        """Feed audio: the final result when the VAD heard the utterance end, else the latest caption."""
        ended = await asyncio.to_thread(self._listen, pcm)
        if ended:
            return await self.finish()
        if self._endpointer.in_speech:
            if self._endpointer.silence_s >= self._pause_s:
                self._decode_in_background(final=True)
            elif self._caption_due():
                self._decode_in_background(final=False)
        return self._caption

    async def finish(self) -> EngineResult:
        """End the utterance now (push-to-talk release): the final result; the stream is ready for the next one."""
        heard = self._endpointer.in_speech
        utterance = self._snapshot()
        decoding = self._decoding
        self._reset()
        if not heard or not len(utterance.audio):
            return EngineResult("", 0.0, (), self._context.language)
        if decoding is not None and decoding.final and decoding.version == utterance.version:
            return await decoding.task  # decoded at the last pause, and nothing was said since
        return await asyncio.to_thread(self._decode, utterance, True)

    # -- inside ------------------------------------------------------------------------------------------
    def _listen(self, pcm: Pcm) -> bool:
        self._buffer.append(pcm)
        self._samples += len(pcm)
        return self._endpointer.feed(pcm)

    def _caption_due(self) -> bool:
        return self._caption_every is not None and self._samples - self._last_caption_at >= self._caption_every

    def _decode_in_background(self, *, final: bool) -> None:
        """Start a decode of the speech so far, unless one is under way (never queue) or this speech is decoded."""
        running = self._decoding
        utterance = self._snapshot()
        if running is not None and (not running.task.done() or (running.final and running.version ==
                                                                utterance.version)):
            return
        self._last_caption_at = self._samples
        task = asyncio.create_task(asyncio.to_thread(self._decode, utterance, final))
        task.add_done_callback(self._show)
        self._decoding = _Decoding(task, utterance.version, final)

    def _show(self, task: asyncio.Task[EngineResult]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:  # a caption that failed is no reason to drop the stream; the final says more
            log.warning("speech.background_decode_failed", error=repr(error))
            return
        if self._decoding is not None and self._decoding.task is task:
            self._caption = task.result().text

    def _snapshot(self) -> Utterance:
        audio = np.concatenate(self._buffer) if self._buffer else np.zeros(0, dtype=np.int16)
        start, end = self._endpointer.speech_start_frame, self._endpointer.speech_end_frame
        if start is None or end is None:
            return Utterance(audio[:0], 0)
        pad = int(self._vad.pad_s * SAMPLE_RATE)  # keep a little around the words, as the upload path does
        return Utterance(audio[max(0, start * FRAME - pad): end * FRAME + pad], end)

    def _decode(self, utterance: Utterance, final: bool) -> EngineResult:
        context = self._context
        if self._context_for is not None:
            context = self._context_for(self._engine.detect_language(utterance.audio))
        if final:
            return prompted_decode(self._engine, utterance.audio, context)
        # A caption is read and gone: a greedy decode in a short window costs a fraction of the final's, so one that
        # is under way when the worker stops holds the final back only briefly.
        window_s, tokens = caption_budget(len(utterance.audio) / SAMPLE_RATE)
        caption = self._engine.recognize(utterance.audio, context, beam_size=1, window_s=window_s,
                                         max_new_tokens=tokens)
        # A caption that came out looping (confidence 0 from the engine) would show gibberish: keep the last one.
        return caption if caption.confidence > 0 or not caption.text else EngineResult(self._caption, 0.0, (),
                                                                                       caption.language)

    def _reset(self) -> None:
        self._buffer, self._samples, self._last_caption_at = [], 0, 0
        self._decoding, self._caption = None, ""
        self._endpointer.reset()
