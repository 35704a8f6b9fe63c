"""AGVs followed on the headset's socket: while a vehicle works on a transfer the device asked for, where it is and
what it does, from the fleet's picture of it (its VDA 5050 `state` and `visualization` messages), as `VehicleOut`.

The fleet emits events for what happened (arrived, picked, dropped: `server.notices`); a position is not an event
but a value that keeps changing, so it is read, not subscribed to: every `PERIOD_S` (one small read of the fleet's
active orders per connected headset), and only what changed is sent; nothing while no vehicle works for the device."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from assistant.fleet import AgvView
from assistant.ledger.errors import DocumentNotFound
from assistant.pipeline import TurnContext
from server.schemas.ledger import AgvOut
from server.schemas.sockets import VehicleOut
from server.services import Services

log = structlog.get_logger(__name__)

PERIOD_S = 0.25  # a vehicle drives ~1 m/s: four looks a second move its marker smoothly enough on an 854 px map
Send = Callable[[Any], Awaitable[None]]


class VehicleFollower:
    """Which vehicles work for one device, and what was last sent about each."""

    def __init__(self, services: Services, ctx: TurnContext) -> None:
        self.services, self.ctx = services, ctx
        self._requester: dict[str, str | None] = {}  # transfer → the device that asked for it
        self._sent: dict[str, AgvView] = {}  # serial → last sent, for the vehicles followed

    def _asked_here(self, doc_id: str) -> bool:
        if doc_id not in self._requester:
            try:
                self._requester[doc_id] = self.services.ledger.document(doc_id).device
            except DocumentNotFound:
                self._requester[doc_id] = None
        return self._requester[doc_id] == self.ctx.device

    def changes(self) -> list[VehicleOut]:
        """The messages due now (blocking: reads the fleet's store and the ledger; run it in a thread)."""
        due: list[VehicleOut] = []
        for agv in self.services.fleet.agvs():
            if agv.site != self.ctx.site:
                continue
            working = agv.doc_id is not None and self._asked_here(agv.doc_id)
            last = self._sent.get(agv.serial)
            if not working and last is None:
                continue
            if last is None or _moved(last, agv):
                due.append(VehicleOut(vehicle=AgvOut.model_validate(agv.model_dump())))
            if working:
                self._sent[agv.serial] = agv
            else:  # done with this device's transfer: that was the last word on it
                self._sent.pop(agv.serial, None)
        return due


def _moved(before: AgvView, now: AgvView) -> bool:
    keys = ("x", "y", "driving", "last_node", "doc_id", "order_id", "connection", "errors", "charging")
    return any(getattr(before, k) != getattr(now, k) for k in keys) or \
        round(before.battery or 0) != round(now.battery or 0)


async def follow_vehicles(services: Services, ctx: TurnContext, send: Send, period_s: float = PERIOD_S) -> None:
    """Until cancelled (the socket closed): send each change of the vehicles working for this device."""
    follower = VehicleFollower(services, ctx)
    while True:
        try:
            for message in await asyncio.to_thread(follower.changes):
                await send(message.model_dump(mode="json"))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a closing socket or a database hiccup: try again at the next look
            log.debug("headset-follow-skipped", device=ctx.device, error=repr(error))
        await asyncio.sleep(period_s)
