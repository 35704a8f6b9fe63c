"""AGVs and their orders, for the caller's site."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assistant.pipeline.render import agv_order_json
from server.deps import DeviceDep, ServicesDep

router = APIRouter(prefix="/api/v1/agv", tags=["fleet"])


@router.get("")
async def list_agvs(device: DeviceDep, services: ServicesDep) -> list[dict[str, Any]]:
    return [agv.model_dump(mode="json") for agv in services.fleet.agvs() if agv.site == device.site]


@router.get("/orders")
async def list_orders(device: DeviceDep, services: ServicesDep) -> list[dict[str, Any]]:
    return [agv_order_json(order) for order in services.fleet.orders() if order.site == device.site]
