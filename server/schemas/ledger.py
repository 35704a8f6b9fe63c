"""Stock, the health check and the AGV fleet as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel


class StockOut(BaseModel):
    location: str
    location_name: str
    item: str
    item_name: str
    on_hand: float
    reserved: float
    available: float  # on_hand - reserved


class AgvOut(BaseModel):
    serial: str
    manufacturer: str
    site: str
    connection: str | None  # ONLINE / OFFLINE / CONNECTIONBROKEN, None before the first message
    online: bool
    operating_mode: str | None
    driving: bool
    last_node: str | None
    x: float | None
    y: float | None
    battery: float | None
    charging: bool
    errors: list[str]
    order_id: str | None
    doc_id: str | None  # the transfer it is working on
    available: bool


class HealthOut(BaseModel):
    status: str  # ok | unavailable
    database: str
    nlu: str
    state: str | None = None  # the shared device state (Redis): ok | unavailable; absent when kept in the process
    # Recognition workers alive now (pool mode; absent when the models are in the app). Not part of readiness: with
    # none, text and taps still work, and audio and photos are answered "interrupted, again" in words.
    recognition_workers: int | None = None
    model: str | None
    world: list[str]
    not_ready: list[str] | None = None
