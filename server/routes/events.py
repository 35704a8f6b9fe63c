"""WebSocket /ws/events: what the assistant pushes to a device that is not streaming audio (a supervisor's
tablet hears that a transfer waits for an AGV; a worker's tablet sees its AGV progress)."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from server.ws import accept_device

log = structlog.get_logger(__name__)
router = APIRouter()


@router.websocket("/ws/events")
async def events(websocket: WebSocket) -> None:
    accepted = await accept_device(websocket)
    if accepted is None:
        return
    services, ctx = accepted
    detach = services.push.attach(ctx.device, websocket.send_json)
    try:
        while True:  # the client only listens; anything it sends is ignored until it closes
            if (await websocket.receive())["type"] == "websocket.disconnect":
                return
    except WebSocketDisconnect:
        return
    finally:
        detach()
