"""A sales order's signed purchase-sale contract as a PDF, for the people of its site who sell (the policies' `sell`
permission: clerks, supervisors, managers). Another site's document does not exist for the caller."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response

from assistant.access import check
from assistant.contracts.models import ContractStatus
from assistant.ledger.errors import DocumentNotFound
from assistant.world.schema import Permission
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.schemas.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["contracts"])
_ERRORS = error_responses(401, 403, 404)


@router.get("/documents/{document_id}/contract.pdf", response_class=Response,
            responses={**_ERRORS, 200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                                                   "format": "binary"}}},
                                        "description": "the contract, signed (PAdES) by the seller's company"}})
async def get_contract_pdf(document_id: str, caller: DeviceDep, services: ServicesDep) -> Response:
    """The document's signed contract (404 with the reason while it is being made, or when it has none)."""
    try:
        document = await asyncio.to_thread(services.ledger.document, document_id)
    except DocumentNotFound as exc:
        raise ApiError("document-not-found", caller.language, {"doc": document_id}) from exc
    if document.site != caller.site:
        raise ApiError("document-not-found", caller.language, {"doc": document_id})
    if check(services.world, caller.worker, Permission.sell) is not None:
        raise ApiError("contract-not-permitted", caller.language)
    contracts = services.contracts
    signed = await asyncio.to_thread(contracts.store.signed_contract, document_id) if contracts else None
    if signed is None:
        info = await contracts.info(document_id) if contracts else None
        if info is not None and info.status == ContractStatus.failed:
            raise ApiError("contract-failed", caller.language, {"doc": document_id})
        gets_one = (contracts is not None and document.type == "sales_order"
                    and services.world.company(document.site) is not None
                    and document.status in ("confirmed", "done"))
        if info is None and not gets_one:
            raise ApiError("contract-none", caller.language, {"doc": document_id})
        raise ApiError("contract-not-ready", caller.language, {"doc": document_id}, headers={"Retry-After": "2"})
    return Response(signed.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{signed.filename}"',
                             "ETag": f'"{signed.sha256}"', "Cache-Control": "private, no-store"})
