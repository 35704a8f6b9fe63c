"""Typed request dependencies: the app's services and the calling device."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from assistant.auth import verify_token
from assistant.pipeline.turn import TurnContext
from server.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

_UNAUTHORIZED = {"code": "auth-invalid-token", "message": "设备令牌无效或缺失。",
                 "message_en": "Missing or invalid device token."}


def get_device(request: Request, services: ServicesDep) -> TurnContext:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    device = verify_token(services.token_key, token) if scheme.lower() == "bearer" else None
    known = services.world.device(device) if device else None
    worker = services.world.worker_for_device(device) if device else None
    if known is None or worker is None:
        raise HTTPException(status_code=401, detail=_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return TurnContext(device=known.code, device_kind=known.kind.value, site=worker.site, worker=worker.code,
                       language=worker.language)


DeviceDep = Annotated[TurnContext, Depends(get_device)]
