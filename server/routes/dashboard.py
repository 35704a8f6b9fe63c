"""The supervisors' dashboard: its live socket (`/ws/dashboard`), the turns behind a document, and the recording or
photo of a turn. For the site's supervisors and managers only (the policies' `review` permission); another site's
documents, turns and vehicles do not exist for the caller. The page itself is `/dashboard` (server/routes/screens.py).

The socket: the device's token as on the other sockets (query `token`, or a bearer header), the page's origin
checked like theirs. First a `snapshot` of the site, then one message per change (server/schemas/dashboard.py);
after a client fell behind, a new `snapshot`. The client sends nothing (anything it sends is ignored)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse

from assistant.access import check
from assistant.ledger.errors import DocumentNotFound
from assistant.pipeline import TurnContext
from assistant.world.schema import Permission
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.feed import Subscription
from server.render.errors import error_out
from server.schemas.errors import error_responses
from server.schemas.records import TurnRecordOut
from server.services import Services
from server.ws import CLOSE_POLICY, accept_device

log = structlog.get_logger(__name__)
router = APIRouter()

_MEDIA_TYPES = {".wav": "audio/wav", ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".amr": "audio/amr",
                ".webm": "audio/webm", ".png": "image/png", ".jpg": "image/jpeg"}


def _may_review(services: Services, caller: TurnContext) -> None:
    if check(services.world, caller.worker, Permission.review) is not None:
        raise ApiError("turns-not-permitted", caller.language)


@router.get("/api/v1/documents/{document_id}/turns", response_model=list[TurnRecordOut], tags=["turn record"],
            responses=error_responses(401, 403, 404))
async def document_turns(document_id: str, caller: DeviceDep, services: ServicesDep) -> list[TurnRecordOut]:
    """The turns that made a document and changed its status (confirmed it, approved it, …), oldest first."""
    _may_review(services, caller)
    try:
        document = await asyncio.to_thread(services.ledger.document, document_id)
    except DocumentNotFound as exc:
        raise ApiError("document-not-found", caller.language, {"doc": document_id}) from exc
    if document.site != caller.site:
        raise ApiError("document-not-found", caller.language, {"doc": document_id})
    return await asyncio.to_thread(services.dashboard.turns_of, document)


@router.get("/api/v1/turns/{turn_id}/media", tags=["turn record"], responses=error_responses(401, 403, 404),
            response_class=FileResponse)
async def turn_media(turn_id: str, caller: DeviceDep, services: ServicesDep) -> FileResponse:
    """The recording or photo a turn came from, while `keep_media_days` keeps it (else 404, in words)."""
    _may_review(services, caller)
    record = await asyncio.to_thread(services.recorder.journal.get, turn_id)
    if record is None or record.site != caller.site:
        raise ApiError("turn-not-found", caller.language, {"turn": turn_id})
    path = await asyncio.to_thread(services.recorder.media_file, record)
    if path is None:
        raise ApiError("turn-media-not-kept", caller.language, {"turn": turn_id})
    return FileResponse(path, media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": "private, no-store"})


@router.websocket("/ws/dashboard")
async def dashboard_socket(websocket: WebSocket) -> None:
    accepted = await accept_device(websocket)
    if accepted is None:
        return
    services, ctx = accepted
    if not services.dashboard.may_watch(ctx):
        refusal = error_out("dashboard-not-permitted", ctx.language)
        await websocket.send_json(refusal.model_dump(exclude_none=True))
        await websocket.close(CLOSE_POLICY)
        return
    # Subscribed before the snapshot is read: nothing that happens meanwhile is missed (the page keeps the newer
    # of two versions of a document, and each turn once).
    with services.feed.subscribe(ctx.site) as subscription:
        pump = asyncio.create_task(_pump(websocket, services, ctx, subscription), name=f"dashboard-{ctx.device}")
        try:
            while not pump.done():
                receiving = asyncio.ensure_future(websocket.receive())
                await asyncio.wait({receiving, pump}, return_when=asyncio.FIRST_COMPLETED)
                if not receiving.done():
                    receiving.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await receiving
                    break
                if receiving.result()["type"] == "websocket.disconnect":
                    break
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump


async def _pump(websocket: WebSocket, services: Services, ctx: TurnContext, subscription: Subscription) -> None:
    snapshot = await asyncio.to_thread(services.dashboard.snapshot, ctx)
    await websocket.send_json(snapshot.model_dump(mode="json", by_alias=True))
    while True:
        event = await subscription.next()
        if event is None:  # fell behind: start over from the site as it is now
            log.info("dashboard.resync", device=ctx.device)
            event = await asyncio.to_thread(services.dashboard.snapshot, ctx)
        await websocket.send_json(event.model_dump(mode="json", by_alias=True))
