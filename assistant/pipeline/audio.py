"""The speech input stage: audio → a transcript locked to the site's vocabulary → the turn text."""

from __future__ import annotations

from assistant.dialogue.messages import say
from assistant.pipeline.errors import TurnError
from assistant.pipeline.turn import TurnContext, TurnInput, TurnPipeline, TurnResult
from speech import AudioError, SpeechService, SpeechUnavailable, Transcript

_ERRORS = {
    "audio-unsupported": ("这不是能识别的音频，请发送 WAV、OGG、MP3、AMR 或 WebM。",
                          "That is not audio I can read; send WAV, OGG, MP3, AMR or WebM."),
    "audio-corrupt": ("音频文件已损坏或不完整。", "The audio file is damaged or incomplete."),
    "audio-too-large": ("音频文件太大。", "The audio file is too large."),
    "audio-too-long": ("语音太长，请一句一句说。", "The recording is too long; say one command at a time."),
}


def _error(error: AudioError) -> TurnError:
    zh, en = _ERRORS.get(error.code, ("音频无法处理。", "The audio could not be processed."))
    status = {"audio-unsupported": 415, "audio-corrupt": 400}.get(error.code, 413)
    return TurnError(error.code, "stt", status, zh, en)


def transcript_input(transcript: Transcript) -> TurnInput:
    return TurnInput(kind="audio", text=transcript.text_for_nlu, transcript=transcript.corrected,
                     transcript_raw=transcript.raw, confidence=round(transcript.confidence, 3))


async def run_transcript(pipeline: TurnPipeline, ctx: TurnContext, transcript: Transcript) -> TurnResult:
    """Act on a transcript, or ask again when nothing clear was heard (never act on a guess)."""
    turn_input = transcript_input(transcript)
    lang = "en" if transcript.language == "en" else "zh"
    if transcript.no_speech or transcript.low_confidence or not transcript.text_for_nlu.strip():
        return pipeline.reply_only(ctx, turn_input, say("not-heard", lang), lang)
    return await pipeline.run_text(ctx, transcript.text_for_nlu, turn_input=turn_input,
                                   metadata={"stt_confidence": transcript.confidence})


async def run_audio(pipeline: TurnPipeline, speech: SpeechService, ctx: TurnContext, audio: bytes,
                    content_type: str | None) -> TurnResult:
    try:
        transcript = await speech.transcribe(audio, content_type, lang_hint=None, site=ctx.site)
    except AudioError as error:
        raise _error(error) from error
    except SpeechUnavailable as error:
        raise TurnError("stt-unavailable", "stt", 503, "语音识别模型没有安装(请运行 make setup)。",
                        "The speech models are not installed (run make setup).") from error
    return await run_transcript(pipeline, ctx, transcript)
