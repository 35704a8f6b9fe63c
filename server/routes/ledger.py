"""Read-only views of the ledger: documents and stock, limited to the caller's site."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Query

from assistant.ledger.errors import DocumentNotFound
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.render.documents import document_out
from server.schemas.documents import DocumentOut
from server.schemas.errors import error_responses
from server.schemas.ledger import StockOut

router = APIRouter(prefix="/api/v1", tags=["ledger"])
_ERRORS = error_responses(401, 403, 404)


@router.get("/documents/{document_id}", response_model=DocumentOut, responses=_ERRORS)
async def get_document(document_id: str, device: DeviceDep, services: ServicesDep) -> DocumentOut:
    try:
        document = await asyncio.to_thread(services.ledger.document, document_id)
    except DocumentNotFound as exc:
        raise ApiError("document-not-found", device.language, {"doc": document_id}) from exc
    if document.site != device.site:  # another site's document does not exist for this device
        raise ApiError("document-not-found", device.language, {"doc": document_id})
    contract = await services.contracts.info(document_id) if services.contracts is not None else None
    return document_out(document, contract)


@router.get("/stock", response_model=list[StockOut], responses=_ERRORS)
async def get_stock(device: DeviceDep, services: ServicesDep,
                    site: str | None = Query(None), item: str | None = Query(None)) -> list[StockOut]:
    site = site or device.site
    if site != device.site:
        raise ApiError("site-forbidden", device.language)
    if item is not None and not any(i.code == item for i in services.world.items):
        raise ApiError("unknown-item-code", device.language, {"item": item})
    rows = await asyncio.to_thread(services.ledger.stock, site, item)
    return [StockOut(location=r.location, location_name=r.location_name, item=r.item, item_name=r.item_name,
                     on_hand=float(r.on_hand), reserved=float(r.reserved), available=float(r.available))
            for r in rows]
