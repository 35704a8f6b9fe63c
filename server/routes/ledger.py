"""Read-only views of the ledger: documents and stock, limited to the caller's site."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Query

from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.views import LocationStock
from assistant.pipeline.render import document_json
from server.deps import DeviceDep, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["ledger"])


@router.get("/documents/{document_id}")
async def get_document(document_id: str, device: DeviceDep, services: ServicesDep) -> dict[str, Any]:
    try:
        document = await asyncio.to_thread(services.ledger.document, document_id)
    except DocumentNotFound as exc:
        raise HTTPException(404, {"code": "document-not-found", "message": f"没有单据{document_id}",
                                  "message_en": f"No document {document_id}"}) from exc
    if document.site != device.site:
        raise HTTPException(404, {"code": "document-not-found", "message": f"没有单据{document_id}",
                                  "message_en": f"No document {document_id}"})
    return document_json(document)


@router.get("/stock", response_model=list[LocationStock])
async def get_stock(device: DeviceDep, services: ServicesDep,
                    site: str | None = Query(None), item: str | None = Query(None)) -> list[LocationStock]:
    site = site or device.site
    if site != device.site:
        raise HTTPException(403, {"code": "site-forbidden", "message": "只能查看本场地的库存。",
                                  "message_en": "A device may only see its own site."})
    if item is not None and not any(i.code == item for i in services.world.items):
        raise HTTPException(404, {"code": "unknown-item", "message": f"没有找到物料“{item}”。",
                                  "message_en": f"No item called '{item}'."})
    return await asyncio.to_thread(services.ledger.stock, site, item)
