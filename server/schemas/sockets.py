"""Messages the device sockets send (`/ws/headset`, `/ws/events`), one model each; errors are `ErrorOut`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.fleet import FleetEvent
from server.schemas.turns import HeadsetReplyOut, TurnOut


class PartialOut(BaseModel):
    """A live caption while the worker speaks (vosk-server's framing)."""

    partial: str


class TranscriptOut(BaseModel):
    """What was heard, once the utterance ended (vosk-server's `text`, with our confidence and language)."""

    text: str
    raw: str
    confidence: float
    language: Literal["zh", "en"] | str


class AnswerOut(BaseModel):
    """The assistant's answer to the utterance: the headset's card and speech, and the whole turn."""

    reply: HeadsetReplyOut
    turn: TurnOut


class NoticeOut(BaseModel):
    """AGV news for a device: the words in its worker's language (both kept), and the event itself."""

    event: str
    doc_id: str | None
    text: str
    text_zh: str
    text_en: str
    agv: FleetEvent | None = None  # AGV news carries the event; approval news only the document
