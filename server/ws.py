"""What every device WebSocket does first: find the device from its token, or refuse it cleanly."""

from __future__ import annotations

import asyncio

from fastapi import WebSocket

from assistant.pipeline import TurnContext
from server.deps import bearer, context_for_token
from server.render.errors import error_out
from server.security import origin_allowed
from server.services import Services

CLOSE_POLICY = 1008


async def accept_device(websocket: WebSocket) -> tuple[Services, TurnContext] | None:
    """Accept the socket; with no valid token (query `token` or bearer header), or from a page of another origin,
    say why and close (1008)."""
    services: Services = websocket.app.state.services
    token = bearer(websocket.headers.get("authorization", "")) or websocket.query_params.get("token")
    ctx = await asyncio.to_thread(context_for_token, services, token)
    await websocket.accept()
    refused = "auth-invalid-token" if ctx is None else None
    if not origin_allowed(websocket, services.settings.allowed_origins):
        refused = "ws-origin-forbidden"  # a page of another site, riding on a device's token
    if refused or ctx is None:
        await websocket.send_json(error_out(refused or "auth-invalid-token", None).model_dump(exclude_none=True))
        await websocket.close(CLOSE_POLICY)
        return None
    return services, ctx
