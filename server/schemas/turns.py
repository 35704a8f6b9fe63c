"""POST /api/v1/turns: the request bodies (JSON words or a tapped button; a multipart form with a recording or a
photo) and the turn as the device gets it back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from assistant.language.codes import ScannedCode
from assistant.language.fields import FieldReading
from server.schemas.documents import DraftOut, TurnDocumentOut

ActionIdOut = Literal["confirm", "cancel"]


class TextTurn(BaseModel):
    """Words, or a tapped button of the last reply (`actions`): {"action": "confirm"}. One of the two."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "调拨5件曲轴到总装线B区"}, {"action": "confirm"}]})

    text: str | None = Field(default=None, min_length=1, description="what the person said or typed")
    action: ActionIdOut | None = Field(default=None, description="a button of the last reply")
    draft: str | None = Field(default=None, max_length=64,
                              description="with confirm: the `draft.id` confirmed; refused if the draft changed since")

    @model_validator(mode="after")
    def _one_of_text_or_action(self) -> TextTurn:
        if (self.text is None) == (self.action is None):
            raise ValueError("give either text or action")
        return self


class UploadTurn(BaseModel):
    """A multipart form: a recording (`audio`: WAV, OGG, MP3, AMR, WebM) or a photo (`image`: a note, a label),
    optionally with typed `text`; or `text` alone."""

    text: str | None = None
    audio: bytes | None = Field(default=None, json_schema_extra={"format": "binary"})
    image: bytes | None = Field(default=None, json_schema_extra={"format": "binary"})


class OcrLineOut(BaseModel):
    text: str
    raw_text: str
    confidence: float


class TurnInputOut(BaseModel):
    kind: Literal["text", "audio", "image", "action"]
    text: str  # what the dialogue saw
    transcript: str | None = None
    transcript_raw: str | None = None
    confidence: float | None = None
    ocr_lines: list[OcrLineOut] = []
    fields: list[FieldReading] = []  # the message's fields as read, with confidences and alternatives
    codes: list[ScannedCode] = []


class IntentOut(BaseModel):
    name: str | None
    confidence: float
    utterance: str | None = None


class EntityOut(BaseModel):
    entity: str
    value: str
    start: int
    end: int
    text: str | None = None
    role: str | None = None
    resolution: str | None = None
    extractor: str | None = None
    confidence_entity: float | None = None


class BotMessageOut(BaseModel):
    text: str | None = None
    custom: dict[str, JsonValue] | None = None


class ReplyOut(BaseModel):
    text: str
    language: Literal["zh", "en"]
    messages: list[BotMessageOut] = []


class TurnActionOut(BaseModel):
    """A button the device may show: sending `{"action": id}` as the next turn is the same as saying it."""

    id: ActionIdOut
    label: str


class CardOut(BaseModel):
    """What fits the 854×480 glasses: a title and at most two short lines."""

    title: str
    lines: list[str]


class WaypointOut(BaseModel):
    node: str
    x: float
    y: float


class GuidanceOut(BaseModel):
    """The route after a confirmed transfer: a card, the words to speak, and the map."""

    card: CardOut
    tts: str
    destination: str
    distance_m: float
    eta_s: float
    waypoints: list[WaypointOut]
    svg: str
    png_base64: str | None = None  # tablets: the same map as a PNG


class TurnOut(BaseModel):
    turn_id: str
    input: TurnInputOut
    intent: IntentOut
    entities: list[EntityOut]
    reply: ReplyOut
    awaiting: Literal["quantity", "destination", "item", "customer", "date", "choice", "confirmation"] | None
    documents: list[TurnDocumentOut]
    draft: DraftOut | None = None  # the command read back and waiting for a yes: nothing written yet
    actions: list[TurnActionOut] = []
    guidance: GuidanceOut | None = None
    timings_ms: dict[str, float] = {}


class HeadsetReplyOut(BaseModel):
    """The reply as an AR headset shows and speaks it."""

    text: str
    tts: str
    card: CardOut
    awaiting: str | None
    language: Literal["zh", "en"]
    guidance: GuidanceOut | None = None
