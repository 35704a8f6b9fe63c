"""Typed request dependencies: the app's services and the calling device."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.pipeline import TurnContext
from server.errors import ApiError
from server.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def context_for_token(services: Services, token: str | None) -> TurnContext | None:
    """Who holds a bearer token: one of the world's devices and its worker, or None (unknown, revoked or expired
    token; a device the world no longer lists). Blocking: a database lookup."""
    device = services.tokens.verify(token or "")
    known = services.world.device(device) if device else None
    worker = services.world.worker_for_device(device) if device else None
    if known is None or worker is None:
        return None
    return TurnContext(device=known.code, device_kind=known.kind.value, site=worker.site, worker=worker.code,
                       language=worker.language)


def bearer(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    return token if scheme.lower() == "bearer" else None


def get_device(request: Request, services: ServicesDep) -> TurnContext:
    ctx = context_for_token(services, bearer(request.headers.get("authorization", "")))
    if ctx is None:
        raise ApiError("auth-invalid-token", headers={"WWW-Authenticate": "Bearer"})
    return ctx


DeviceDep = Annotated[TurnContext, Depends(get_device)]
