"""The messages between the app and the recognition workers: small frozen dataclasses, each one entry of a Redis
stream. One codec for all: a `type` field names the message, every other field is one stream field —
bytes as raw bytes (audio and photos are never base64'd or pickled), text as UTF-8, numbers as their decimal text,
`None` as an absent field. Results travel as the JSON of the app's own result types."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Union

from pydantic import TypeAdapter

from speech.results import Transcript
from vision.results import VisionResult

Fields = dict[bytes, bytes]


class BadMessage(ValueError):
    """An entry that is not one of our messages (another version's, or garbage): logged and skipped."""


@dataclass(frozen=True, slots=True)
class Message:
    TYPE: ClassVar[str] = ""

    def encode(self) -> Fields:
        out: Fields = {b"type": self.TYPE.encode()}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, bool):
                raw = b"1" if value else b"0"
            elif isinstance(value, bytes):
                raw = value
            elif isinstance(value, int | float):
                raw = repr(value).encode()
            elif isinstance(value, str):
                raw = value.encode()
            else:
                raise TypeError(f"{type(self).__name__}.{f.name}: {type(value).__name__} is not a message field")
            out[f.name.encode()] = raw
        return out


def _base(annotation: Any) -> tuple[type, bool]:
    """The field's one concrete type, and whether it may be None."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], True
    return annotation, False


def _field_types(cls: type) -> dict[str, tuple[type, bool]]:
    hints = typing.get_type_hints(cls)
    return {f.name: _base(hints[f.name]) for f in dataclasses.fields(cls)}


def decode(fields: dict[Any, Any]) -> Message:
    """A stream entry → its message. Raises `BadMessage` for anything else."""
    raw = {(k.encode() if isinstance(k, str) else k): (v.encode() if isinstance(v, str) else v)
           for k, v in fields.items()}
    cls = MESSAGES.get(raw.get(b"type", b"").decode(errors="replace"))
    if cls is None:
        raise BadMessage(f"unknown message type {raw.get(b'type')!r}")
    values: dict[str, Any] = {}
    for name, (kind, optional) in _TYPES[cls].items():
        data = raw.get(name.encode())
        if data is None:
            if not optional:
                raise BadMessage(f"{cls.TYPE}: {name} missing")
            values[name] = None
            continue
        try:
            values[name] = (data if kind is bytes else data == b"1" if kind is bool
                            else kind(data.decode()))
        except (ValueError, UnicodeDecodeError) as error:
            raise BadMessage(f"{cls.TYPE}.{name}: {error}") from None
    return cls(**values)


# -- one-shot jobs: the jobs stream, read by the workers' group; the answer on the request's reply stream -----------
@dataclass(frozen=True, slots=True)
class TranscribeJob(Message):
    """A whole recording (a chat voice message, an uploaded clip)."""

    TYPE: ClassVar[str] = "transcribe"
    request: str
    audio: bytes
    deadline: float  # epoch seconds: past it the caller has given up and a worker drops the job
    content_type: str | None = None
    lang_hint: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class ReadJob(Message):
    """A photo to read (OCR and codes)."""

    TYPE: ClassVar[str] = "read"
    request: str
    image: bytes
    deadline: float
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class JobAnswer(Message):
    """The result's JSON, or the error's code and message (an `AudioError`'s, a `VisionError`'s, or unavailable)."""

    TYPE: ClassVar[str] = "answer"
    request: str
    worker: str
    result: str | None = None
    error: str | None = None
    detail: str | None = None


# -- live streams: an open on the opens stream (the group's first free worker claims it), then the session's own ----
@dataclass(frozen=True, slots=True)
class OpenSession(Message):
    TYPE: ClassVar[str] = "open"
    session: str
    sample_rate: int
    deadline: float  # nobody claimed it by then: the caller has given up
    language: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class Chunk(Message):
    """App → worker on the session's input stream: 16-bit PCM at the session's rate."""

    TYPE: ClassVar[str] = "chunk"
    seq: int
    pcm: bytes


@dataclass(frozen=True, slots=True)
class Finish(Message):
    """Push-to-talk released: end the utterance now."""

    TYPE: ClassVar[str] = "finish"
    seq: int


@dataclass(frozen=True, slots=True)
class Close(Message):
    """The app gave the utterance up (the connection closed, or it stopped waiting): free the slot."""

    TYPE: ClassVar[str] = "close"
    seq: int


@dataclass(frozen=True, slots=True)
class Claimed(Message):
    """Worker → app, first on the session's output stream: who holds the utterance (its heartbeat is watched)."""

    TYPE: ClassVar[str] = "claimed"
    worker: str


@dataclass(frozen=True, slots=True)
class Caption(Message):
    """The answer to chunk `seq` while the utterance goes on (maybe unchanged, maybe empty)."""

    TYPE: ClassVar[str] = "caption"
    seq: int
    text: str
    nothing: bool = False  # the chunk held no whole sample: `accept` answered None


@dataclass(frozen=True, slots=True)
class Ended(Message):
    """The utterance's transcript: the answer to the chunk after which the VAD heard it end, or to `Finish`. The
    worker forgets the session after it."""

    TYPE: ClassVar[str] = "ended"
    seq: int
    transcript: str  # Transcript as JSON
    by_finish: bool = False


@dataclass(frozen=True, slots=True)
class Failed(Message):
    """The worker could not go on with the utterance: an `AudioError`'s code, `stt-unavailable`, or stopping."""

    TYPE: ClassVar[str] = "failed"
    seq: int
    error: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Vocabulary(Message):
    """Names changed (a customer registered): every worker re-reads the master data before its next recognition."""

    TYPE: ClassVar[str] = "vocabulary"
    origin: str


MESSAGES: dict[str, type[Message]] = {cls.TYPE: cls for cls in (
    TranscribeJob, ReadJob, JobAnswer, OpenSession, Chunk, Finish, Close, Claimed, Caption, Ended, Failed, Vocabulary)}

_TYPES = {cls: _field_types(cls) for cls in MESSAGES.values()}
_TRANSCRIPT = TypeAdapter(Transcript)


def transcript_json(transcript: Transcript) -> str:
    return _TRANSCRIPT.dump_json(transcript).decode()


def transcript_of(text: str) -> Transcript:
    return _TRANSCRIPT.validate_json(text)


def vision_json(result: VisionResult) -> str:
    return result.model_dump_json()


def vision_of(text: str) -> VisionResult:
    return VisionResult.model_validate_json(text)
