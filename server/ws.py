"""What every device WebSocket does first: find the device from its token, or refuse it cleanly."""

from __future__ import annotations

from fastapi import WebSocket

from assistant.pipeline import TurnContext
from server.deps import bearer, context_for_token
from server.render.errors import error_out
from server.services import Services

CLOSE_POLICY = 1008


async def accept_device(websocket: WebSocket) -> tuple[Services, TurnContext] | None:
    """Accept the socket; with no valid token (query `token` or bearer header) say why and close (1008)."""
    services: Services = websocket.app.state.services
    token = bearer(websocket.headers.get("authorization", "")) or websocket.query_params.get("token")
    ctx = context_for_token(services, token)
    await websocket.accept()
    if ctx is None:
        await websocket.send_json(error_out("auth-invalid-token", None).model_dump(exclude_none=True))
        await websocket.close(CLOSE_POLICY)
        return None
    return services, ctx
