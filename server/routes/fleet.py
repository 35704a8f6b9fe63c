"""AGVs and their orders, for the caller's site."""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import DeviceDep, ServicesDep
from server.render.documents import agv_order_out
from server.schemas.documents import AgvOrderOut
from server.schemas.errors import error_responses
from server.schemas.ledger import AgvOut

router = APIRouter(prefix="/api/v1/agv", tags=["fleet"])
_ERRORS = error_responses(401)


@router.get("", response_model=list[AgvOut], responses=_ERRORS)
async def list_agvs(device: DeviceDep, services: ServicesDep) -> list[AgvOut]:
    return [AgvOut.model_validate(agv.model_dump()) for agv in services.fleet.agvs() if agv.site == device.site]


@router.get("/orders", response_model=list[AgvOrderOut], responses=_ERRORS)
async def list_orders(device: DeviceDep, services: ServicesDep) -> list[AgvOrderOut]:
    return [agv_order_out(order) for order in services.fleet.orders() if order.site == device.site]
