"""When the prompt's names may have pulled a transcript (unit level: a scripted engine stands in for Whisper)."""

from __future__ import annotations

from typing import Any, cast

from speech.engine import Context, EngineResult
from speech.whisper_engine import WhisperTranscriber, prompted_decode

PROMPT = Context("en", "Transfer, yes, cancel that. crankshaft, camshaft, piston.")


class Scripted:
    """Answers with one result for a prompted decode and another for a plain one; counts the decodes."""

    def __init__(self, prompted: EngineResult, plain: EngineResult) -> None:
        self.results = {True: prompted, False: plain}
        self.calls = 0

    def recognize(self, pcm: Any, context: Context) -> EngineResult:
        self.calls += 1
        return self.results[bool(context.prompt)]


def _decode(prompted: tuple[str, float], plain: tuple[str, float]) -> tuple[str, int]:
    engine = Scripted(EngineResult(*prompted), EngineResult(*plain))
    result = prompted_decode(cast(WhisperTranscriber, engine), cast(Any, None), PROMPT)
    return result.text, engine.calls


def test_a_sure_command_is_decoded_once() -> None:
    assert _decode(("Transfer five pistons to line B.", 0.8), ("x", 0.9)) == ("Transfer five pistons to line B.", 1)


def test_a_doubtful_bare_name_loses_to_a_nearly_as_sure_plain_reading() -> None:
    assert _decode(("camshaft,", 0.418), ("Cancel that.", 0.384)) == ("Cancel that.", 2)


def test_a_bare_name_stays_when_the_plain_reading_is_much_worse() -> None:
    assert _decode(("camshaft", 0.45), ("cam chaff", 0.30)) == ("camshaft", 2)


def test_a_sure_bare_word_is_decoded_once() -> None:
    assert _decode(("确认", 0.75), ("確認", 0.74)) == ("确认", 1)  # "确认" costs one decode, as any sure reply


def test_a_recited_prompt_is_decoded_plainly() -> None:
    assert _decode(("crankshaft, camshaft, piston", 0.7), ("", 0.0))[0] == ""


def test_a_doubtful_sentence_takes_the_surer_reading() -> None:
    assert _decode(("Transfer fine pistons.", 0.4), ("Transfer five pistons.", 0.45))[0] == "Transfer five pistons."
    assert _decode(("Transfer five pistons.", 0.45), ("Transfer fine pistons.", 0.4))[0] == "Transfer five pistons."
