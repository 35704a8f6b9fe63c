"""What the fleet service returns and emits: frozen pydantic values (JSON-ready for the headset push)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class LinkStatus(StrEnum):
    waiting = "waiting"      # no AGV has it (none available, or it failed/went offline): nothing moved
    assigned = "assigned"    # order stored and sent to `serial`; heading for the pick
    picked = "picked"        # pick finished: ledger transfer in_progress, goods on the AGV
    done = "done"            # drop finished: ledger transfer done, stock moved
    cancelled = "cancelled"


ACTIVE = frozenset({LinkStatus.assigned, LinkStatus.picked})


class WaitReason(StrEnum):
    no_agv = "no_agv"
    agv_error = "agv_error"
    agv_offline = "agv_offline"


class AgvOrderView(_Value):
    doc_id: str
    site: str
    status: LinkStatus
    serial: str | None
    order_id: str | None
    order_update_id: int
    sources: tuple[str, ...]  # location codes, in pick order
    destination: str
    picked: bool
    route_m: float | None
    reason: WaitReason | None  # why it waits; the words are rendered for the reader (dialogue.agv.waiting_text)
    detail: str | None  # the vehicle's own error description (agv_error): its data, not our text
    updated_at: dt.datetime


class AgvView(_Value):
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
    errors: tuple[str, ...]  # "errorType (LEVEL): description"
    order_id: str | None
    doc_id: str | None  # the transfer it is working on
    available: bool


class _Event(_Value):
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    serial: str | None
    doc_id: str | None


class AgvArrived(_Event):
    kind: Literal["agv_arrived"] = "agv_arrived"
    node: str
    location: str | None
    purpose: Literal["pick", "drop"]


class AgvPicked(_Event):
    kind: Literal["agv_picked"] = "agv_picked"


class AgvDropped(_Event):
    kind: Literal["agv_dropped"] = "agv_dropped"
    destination: str


class AgvError(_Event):
    kind: Literal["agv_error"] = "agv_error"
    errors: tuple[str, ...]
    fatal: bool


class AgvOffline(_Event):
    kind: Literal["agv_offline"] = "agv_offline"
    connection: str


class TransferWaiting(_Event):
    """For the worker who asked (device/worker) and the site's supervisors: say it, nothing was lost.

    Codes and data only: each reader gets the words in their own language (`dialogue.agv.waiting_text`)."""

    kind: Literal["transfer_waiting"] = "transfer_waiting"
    reason: WaitReason
    picked: bool  # True: the goods are on the AGV (ledger in_progress); False: still at the source
    detail: str | None  # the vehicle's own error description (agv_error)
    site: str
    worker: str | None
    device: str | None
    supervisors: tuple[str, ...]


FleetEvent = Annotated[AgvArrived | AgvPicked | AgvDropped | AgvError | AgvOffline | TransferWaiting,
                       Field(discriminator="kind")]
