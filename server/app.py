"""The FastAPI application: settings in, routes out. Nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from assistant.logs import configure_logging
from server.channels.runtime import start_channels
from server.errors import install_error_handlers
from server.limits import install_body_limit
from server.openapi import install_openapi
from server.routes import (
    actions,
    approvals,
    contracts,
    dashboard,
    dingtalk,
    events,
    fleet,
    headset,
    health,
    ledger,
    partners,
    records,
    screens,
    turns,
    vouchers,
    wecom,
)
from server.security import install_security_headers
from server.services import build_services
from server.settings import Settings


def create_app(settings: Settings | None = None,
               rasa_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings, rasa_transport)
        app.state.services = services
        channels = await start_channels(settings, services)
        app.state.channels = channels
        try:
            yield
        finally:
            await channels.aclose()
            await services.aclose()

    app = FastAPI(title="Frontline", version="0.1.0", lifespan=lifespan,
                  description="Offline-first shop-floor assistant: turns, documents and stock.")
    for router in (health.router, turns.router, headset.router, events.router, ledger.router, fleet.router,
                   approvals.router, records.router, actions.router, screens.router, wecom.router,
                   dingtalk.router, dashboard.router, vouchers.router, partners.router, contracts.router):
        app.include_router(router)
    install_error_handlers(app)
    install_body_limit(app, settings.max_request_bytes)
    install_security_headers(app)
    install_openapi(app, turns.REQUEST_MODELS)
    return app
