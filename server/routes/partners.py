"""The partner webhooks' delivery log, for the supervisors and managers of a site (the policies' `review`
permission). Another site's deliveries do not exist for the caller."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query

from assistant.access import check
from assistant.world.schema import Permission
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.schemas.errors import error_responses
from server.schemas.partners import PartnerDeliveryOut

router = APIRouter(prefix="/api/v1", tags=["partner push"])
_ERRORS = error_responses(401, 403, 422)


@router.get("/partner-deliveries", response_model=list[PartnerDeliveryOut], responses=_ERRORS)
async def list_partner_deliveries(caller: DeviceDep, services: ServicesDep,
                                  document: Annotated[str | None, Query(max_length=16,
                                                                        description="a document id, e.g. SO-000001")]
                                  = None,
                                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[PartnerDeliveryOut]:
    """The site's webhook deliveries (of a document), newest first."""
    if check(services.world, caller.worker, Permission.review) is not None:
        raise ApiError("partner-deliveries-not-permitted", caller.language)
    rows = await asyncio.to_thread(services.partner_log.deliveries, caller.site, document, limit)
    return [PartnerDeliveryOut.model_validate({**row.model_dump(), "event_type": str(row.event_type),
                                               "status": str(row.status)}) for row in rows]
