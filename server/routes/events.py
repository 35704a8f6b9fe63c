"""WebSocket /ws/events: what the assistant pushes to a device that is not streaming audio (a supervisor's
tablet hears that a transfer waits for an AGV; a worker's tablet sees its AGV progress)."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from server.routes.headset import CLOSE_POLICY, device_of
from server.services import Services

log = structlog.get_logger(__name__)
router = APIRouter()


@router.websocket("/ws/events")
async def events(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    ctx = device_of(websocket, services)
    await websocket.accept()
    if ctx is None:
        await websocket.send_json({"error": {"code": "auth-invalid-token", "message": "设备令牌无效或缺失。",
                                             "message_en": "Missing or invalid device token."}})
        await websocket.close(CLOSE_POLICY)
        return
    detach = services.push.attach(ctx.device, websocket.send_json)
    try:
        while True:  # the client only listens; anything it sends is ignored until it closes
            if (await websocket.receive())["type"] == "websocket.disconnect":
                return
    except WebSocketDisconnect:
        return
    finally:
        detach()
