"""A partner on loopback that fails its first attempts and records what it got; partner settings; table reads."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.outbox import DeliveryPolicy
from assistant.partners import EventType, Partner, PartnerDelivery

SECRET = "s3cret-for-the-test-bank-0001"
FAST = DeliveryPolicy(poll_s=0.05, retry_initial_s=0.05, retry_factor=2, retry_max_s=0.5, jitter=0, send_timeout_s=2,
                      lease_s=30)


def partner(name: str, url: str, *events: EventType, sites: set[str] | None = None) -> Partner:
    return Partner.model_validate({"name": name, "url": url, "secret": SECRET,
                                   "events": [str(e) for e in events or (EventType.sales_order_confirmed,)],
                                   "sites": sites})


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.body)
        return payload


@dataclass
class LoopbackPartner:
    """POST /hook: answers 503 to its first `failures` requests, then 204; every request is kept."""

    failures: int = 0
    requests: list[Received] = field(default_factory=list)

    @property
    def accepted(self) -> list[Received]:
        return self.requests[self.failures:]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            self.requests.append(Received(dict(request.headers), await request.body()))
            return Response(status_code=503 if len(self.requests) <= self.failures else 204)

        return app


def delivery_rows(engine: Engine) -> list[PartnerDelivery]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(PartnerDelivery).order_by(PartnerDelivery.id)))


@dataclass
class FlakyPartner:
    """POST /hook: answers 503 to the first `failures` attempts of each event id, then 204; every attempt is kept
    with when it arrived (time.monotonic)."""

    failures: int = 2
    attempts: list[tuple[float, Received, int]] = field(default_factory=list)

    def of_event(self, event_id: str) -> list[tuple[float, Received, int]]:
        return [a for a in self.attempts if a[1].headers.get("x-frontline-event-id") == event_id]

    def taken(self, event_type: str, document: str) -> list[tuple[float, Received]]:
        """The attempts answered 204 for one event of one document."""
        return [(at, got) for at, got, status in self.attempts if status == 204
                and got.json.get("type") == event_type and got.json.get("document", {}).get("id") == document]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            got = Received(dict(request.headers), await request.body())
            seen = len(self.of_event(got.headers.get("x-frontline-event-id", "")))
            status = 503 if seen < self.failures else 204
            self.attempts.append((time.monotonic(), got, status))
            return Response(status_code=status)

        return app
