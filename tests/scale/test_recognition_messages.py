"""The recognition pool's messages: each one stream entry and back, bytes untouched, nothing pickled."""

from __future__ import annotations

import pytest

from assistant.recognition.keys import stream_entries
from assistant.recognition.messages import (
    MESSAGES,
    BadMessage,
    Caption,
    Chunk,
    Ended,
    JobAnswer,
    OpenSession,
    ReadJob,
    TranscribeJob,
    decode,
    transcript_json,
    transcript_of,
    vision_json,
    vision_of,
)
from speech import Correction, Transcript, Word
from vision import OcrLine, VisionResult

PCM = bytes(range(256)) * 4  # every byte value, NULs and non-UTF-8 included


@pytest.mark.parametrize("message", [
    TranscribeJob("r1", PCM, 1.7e9, content_type="audio/wav", lang_hint=None, site="DG"),
    ReadJob("r2", b"\x89PNG\r\n\x1a\n\x00", 1.7e9),
    JobAnswer("r1", "w1", error="audio-corrupt", detail="truncated"),
    OpenSession("s1", 16000, 1.7e9, language="zh", site="DG"),
    OpenSession("s2", 8000, 1.7e9),
    Chunk(7, PCM),
    Caption(3, "调拨五件", nothing=False),
    Caption(4, "", nothing=True),
    Ended(9, '{"raw": "x"}', by_finish=True),
])
def test_a_message_survives_its_stream_entry(message: object) -> None:
    assert hasattr(message, "encode")
    fields = message.encode()  # type: ignore[attr-defined]
    assert all(isinstance(k, bytes) and isinstance(v, bytes) for k, v in fields.items())
    assert decode(fields) == message
    # as redis-py hands an entry back (the same bytes; a str key where decode_responses was set)
    assert decode({k.decode(): v for k, v in fields.items()}) == message


def test_bytes_are_carried_raw() -> None:
    assert Chunk(1, PCM).encode()[b"pcm"] is PCM
    assert b"pickle" not in b"".join(TranscribeJob("r", PCM, 1.0).encode().values())


def test_none_is_an_absent_field() -> None:
    fields = OpenSession("s", 16000, 1.0).encode()
    assert b"language" not in fields and b"site" not in fields


@pytest.mark.parametrize("fields", [
    {b"type": b"nonsense"},
    {},
    {b"type": b"chunk", b"pcm": b"x"},  # seq missing
    {b"type": b"chunk", b"seq": b"one", b"pcm": b"x"},
    {b"type": b"open", b"session": b"s", b"sample_rate": b"16000", b"deadline": b"\xff"},
])
def test_anything_else_is_refused(fields: dict[bytes, bytes]) -> None:
    with pytest.raises(BadMessage):
        decode(fields)


def test_every_message_type_is_known_once() -> None:
    assert len({cls.TYPE for cls in MESSAGES.values()}) == len(MESSAGES) and "" not in MESSAGES


def test_results_travel_as_their_json() -> None:
    transcript = Transcript("调拨五件曲轴", "调拨五件曲轴", "zh", 0.81, "whisper", 2.4, low_confidence=False,
                            words=(Word("调拨", 0.0, 0.5, 0.9),),
                            corrections=(Correction("去轴", "曲轴", "item", "P1", 0.9),))
    assert transcript_of(transcript_json(transcript)) == transcript
    result = VisionResult(ocr_lines=(OcrLine(text="曲轴 5", raw_text="曲轴 S", confidence=0.9,
                                             box=((0, 0), (1, 0), (1, 1), (0, 1))),),
                          text_for_nlu="曲轴 5", raw_text="曲轴 S", char_confidence=(0.9,) * 4,
                          char_corrected=(False, False, False, True), codes=(), steps=("gray",), timings_ms={"ocr": 3})
    assert vision_of(vision_json(result)) == result


def test_stream_entries_reads_xread_answers_in_order() -> None:
    read = [(b"k", [(b"1-0", {b"type": b"x"}), (b"2-0", None), ("3-0", {b"type": b"y"})])]
    assert stream_entries(read) == [("1-0", {b"type": b"x"}), ("3-0", {b"type": b"y"})]
    assert stream_entries(None) == []
