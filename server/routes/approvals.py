"""A supervisor or manager approves or rejects a transfer waiting for approval (the same decision as the spoken
"批准TR-000123"): the transfer is planned again and reserved, or refused; its requester is told."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.dialogue.approvals import NotYours
from assistant.ledger.errors import DocumentNotFound, InsufficientStock, InvalidState
from assistant.ledger.views import Document
from assistant.pipeline import TurnContext
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.render.documents import document_out
from server.schemas.documents import DocumentOut
from server.schemas.errors import error_responses
from server.services import Services

router = APIRouter(prefix="/api/v1", tags=["approvals"])
_ERRORS = error_responses(401, 403, 404, 409)


async def _decide(services: Services, device: TurnContext, document_id: str, *, approve: bool) -> Document:
    lang = device.language
    try:
        return await services.approvals.decide(document_id, worker=device.worker, approve=approve, turn_id=None)
    except NotYours as exc:
        raise ApiError("approval-not-permitted", lang) from exc
    except DocumentNotFound as exc:  # another site's document does not exist for this device
        raise ApiError("document-not-found", lang, {"doc": document_id}) from exc
    except InvalidState as exc:
        raise ApiError("approval-not-waiting", lang, {"doc": document_id}) from exc
    except InsufficientStock as exc:
        raise ApiError("approval-out-of-stock", lang, {"doc": document_id, "available": str(exc.available),
                                                        "requested": str(exc.requested)}) from exc


@router.post("/documents/{document_id}/approve", response_model=DocumentOut, responses=_ERRORS)
async def approve_document(document_id: str, device: DeviceDep, services: ServicesDep) -> DocumentOut:
    return document_out(await _decide(services, device, document_id, approve=True))


@router.post("/documents/{document_id}/reject", response_model=DocumentOut, responses=_ERRORS)
async def reject_document(document_id: str, device: DeviceDep, services: ServicesDep) -> DocumentOut:
    return document_out(await _decide(services, device, document_id, approve=False))
