"""Messages the device sockets send (`/ws/headset`, `/ws/events`), one model each; errors are `ErrorOut`. And the
one a client sends that is more than a vosk-server frame: a tapped button (`ActionIn`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.fleet import FleetEvent
from server.schemas.ledger import AgvOut
from server.schemas.turns import ActionIdOut, HeadsetReplyOut, TurnOut


class ActionIn(BaseModel):
    """A button of the last reply tapped on the headset view: {"action": "confirm", "draft": "<draft.id>"}, the
    same as the tablet's tap (`TextTurn`); a confirm names the read-back it confirms."""

    model_config = ConfigDict(extra="forbid")

    action: ActionIdOut
    draft: str | None = Field(default=None, max_length=64)


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


class VehicleOut(BaseModel):
    """An AGV working on a transfer this device asked for, where its VDA 5050 state last put it (metres on the site
    map; the guidance's SVG says where that is drawn). Sent when it moves or its state changes, and once more when
    it has finished with the transfer (`doc_id` then no longer that transfer)."""

    vehicle: AgvOut


class NoticeOut(BaseModel):
    """AGV news for a device: the words in its worker's language (both kept), and the event itself."""

    event: str
    doc_id: str | None
    text: str
    text_zh: str
    text_en: str
    agv: FleetEvent | None = None  # AGV news carries the event; approval news only the document
