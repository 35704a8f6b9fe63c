"""The speech input stage: audio → a transcript locked to the site's vocabulary → the turn text."""

from __future__ import annotations

import re
import time

from assistant.catalogue import lang_of
from assistant.language.fields import CharConfidence
from assistant.pipeline.errors import TurnError
from assistant.pipeline.results import TurnContext, TurnInput, TurnResult
from assistant.pipeline.turn import TurnPipeline
from speech import AudioError, RecognitionInterrupted, Recognizer, SpeechUnavailable, Transcript

# A lone word right after a read-back answers it: yes or no to a stock change. Heard with less than this
# confidence it is taken only as such an answer (Whisper is rarely sure of one short word, and a yes is the worker's
# own explicit confirmation); as anything else — a new command — it is asked again. Half-way between the engine's
# floor for a whole command, where the other words back each other up, and certainty.
LONE_WORD_MIN_CONFIDENCE = 0.6
_LONE_ZH = re.compile(r"[\u3400-\u9fff]{1,4}")
_LONE_EN = re.compile(r"[A-Za-z'-]+")


def transcript_input(transcript: Transcript) -> TurnInput:
    return TurnInput(kind="audio", text=transcript.text_for_nlu, transcript=transcript.corrected,
                     transcript_raw=transcript.raw, confidence=round(transcript.confidence, 3))


def lone_word(text: str) -> bool:
    """One word and nothing else: "Camshaft," or "确认" (a command names at least a thing and an amount)."""
    bare = re.sub(r"[\s,，.。!！?？;；:：、\"'“”]+", " ", text).strip()
    return bool(_LONE_ZH.fullmatch(bare) or _LONE_EN.fullmatch(bare))


async def run_transcript(pipeline: TurnPipeline, ctx: TurnContext, transcript: Transcript) -> TurnResult:
    """Act on a transcript, or ask again when nothing clear was heard (never act on a guess)."""
    turn_input = transcript_input(transcript)
    lang = lang_of(transcript.language)
    text = transcript.text_for_nlu
    if transcript.no_speech or transcript.low_confidence or not text.strip():
        return await pipeline.not_heard(ctx, turn_input, lang)
    doubtful = await pipeline.awaiting(ctx.device) == "confirmation" and lone_word(text) \
        and transcript.confidence < LONE_WORD_MIN_CONFIDENCE
    return await pipeline.run_text(ctx, text, turn_input=turn_input,
                                   metadata={"stt_confidence": transcript.confidence},
                                   chars=CharConfidence.uniform(text, transcript.confidence), answer_only=doubtful)


async def run_audio(pipeline: TurnPipeline, speech: Recognizer, ctx: TurnContext, audio: bytes,
                    content_type: str | None) -> TurnResult:
    started = time.perf_counter()
    try:
        transcript = await speech.transcribe(audio, content_type, lang_hint=None, site=ctx.site)
    except AudioError as error:
        raise TurnError(error.code, "stt") from error
    except SpeechUnavailable as error:
        raise TurnError("stt-unavailable", "stt") from error
    except RecognitionInterrupted as error:  # a recognition worker died with it: nothing was heard, say it again
        raise TurnError(RecognitionInterrupted.code, "stt") from error
    stt_ms = round((time.perf_counter() - started) * 1000, 1)
    result = await run_transcript(pipeline, ctx, transcript)
    return result.model_copy(update={"timings_ms": {"stt": stt_ms, **result.timings_ms}})
