"""Messages of the supervisors' dashboard socket (`/ws/dashboard`), one model each, told apart by `type`.

The socket first sends a `snapshot` of the site, then one message per change: a `document` made or changed, a
`turn` put on the record, an `agv`'s state (position, battery, order), an `agv_event` (arrived, picked, dropped,
waiting: the words in both languages), the site's `stock` below its safety level, a safety-stock `alert`.
A refusal is the usual `ErrorOut` (`{"error": {...}}`), then the socket closes (1008)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from assistant.fleet import FleetEvent
from server.schemas.documents import AgvOrderOut, DocumentOut
from server.schemas.ledger import AgvOut
from server.schemas.records import TurnRecordOut


class DashDocumentOut(DocumentOut):
    """A ledger document as the dashboard lists it: the API's document, with who made it and when it last changed."""

    worker: str | None
    worker_name: str | None
    device: str | None
    updated_at: str  # ISO 8601


class DashAgvOut(AgvOut):
    """An AGV with the order it is working on (None: idle)."""

    order: AgvOrderOut | None = None


class LowStockOut(BaseModel):
    """An item whose available storage stock at the site is below its safety stock (`safety_stock` in the world)."""

    item: str
    item_name: str
    item_name_en: str
    unit: str  # the base unit code both quantities are in
    available: float
    minimum: float


class AlertOut(BaseModel):
    """A safety-stock alert (`assistant.alerts`), as the dashboard shows it."""

    id: int
    status: str  # open | closed
    item: str
    item_name: str
    item_name_en: str
    unit: str
    available: float
    minimum: float
    suggested: float  # reorder quantity suggested
    document: str | None
    turn_id: str | None
    opened_at: str
    closed_at: str | None
    title: str
    text_zh: str
    text_en: str


class PlaceOut(BaseModel):
    code: str
    name: str
    name_en: str
    kind: str
    node: str


class SiteMapOut(BaseModel):
    """The site's map in metres (y grows up), for the page to draw: aisles between nodes, places on nodes."""

    nodes: dict[str, tuple[float, float]]
    edges: list[tuple[str, str]]
    places: list[PlaceOut]


class NamesOut(BaseModel):
    """Names the page shows in either language: code → [Mandarin, English]."""

    items: dict[str, tuple[str, str]]
    locations: dict[str, tuple[str, str]]
    units: dict[str, tuple[str, str]]  # base unit code → its name ("件", "pcs")
    item_units: dict[str, str]  # item code → its base unit code: every quantity is in it
    workers: dict[str, str]


class SnapshotOut(BaseModel):
    """The site as it is when the socket opens (and again after the client fell behind)."""

    type: Literal["snapshot"] = "snapshot"
    site: str
    site_name: str
    site_name_en: str
    device: str
    worker: str
    worker_name: str
    language: str
    may_approve: bool
    documents: list[DashDocumentOut]  # newest first; every transfer waiting for approval is among them
    agvs: list[DashAgvOut]
    low_stock: list[LowStockOut]
    alerts: list[AlertOut]  # open alerts, newest first
    turns: list[TurnRecordOut]  # the latest turns, oldest first
    map: SiteMapOut | None
    names: NamesOut


class DocumentEventOut(BaseModel):
    type: Literal["document"] = "document"
    document: DashDocumentOut


class TurnEventOut(BaseModel):
    type: Literal["turn"] = "turn"
    turn: TurnRecordOut


class AgvStateOut(BaseModel):
    type: Literal["agv"] = "agv"
    agv: DashAgvOut


class AgvNewsOut(BaseModel):
    """A fleet event (the vehicle's progress on a transfer, or why a transfer waits), in words and as data."""

    type: Literal["agv_event"] = "agv_event"
    event: FleetEvent
    text_zh: str | None
    text_en: str | None


class StockEventOut(BaseModel):
    """Every item of the site now below its safety stock (the whole list: an item back above it drops out)."""

    type: Literal["stock"] = "stock"
    low_stock: list[LowStockOut]


class AlertEventOut(BaseModel):
    type: Literal["alert"] = "alert"
    alert: AlertOut


DashboardEvent = DocumentEventOut | TurnEventOut | AgvStateOut | AgvNewsOut | StockEventOut | AlertEventOut
DashboardMessage = Annotated[SnapshotOut | DashboardEvent, Field(discriminator="type")]
