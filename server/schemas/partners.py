"""The partner webhooks' delivery log as the API shows it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class PartnerDeliveryOut(BaseModel):
    id: int
    event_id: str = Field(description="the X-Frontline-Event-Id the partner was sent")
    event_type: str = Field(description="sales_order.confirmed, transfer.done or contract.signed")
    document: str
    partner: str = Field(description="a configured partner's name")
    status: str = Field(description="pending (not delivered yet) or delivered (the partner answered 2xx)")
    attempts: int
    last_status: int | None = Field(description="the HTTP status of the last answer, if any")
    last_error: str | None = Field(description="why the last attempt failed, e.g. HTTP 503 or ConnectError")
    next_attempt_at: dt.datetime
    occurred_at: dt.datetime
    created_at: dt.datetime
    delivered_at: dt.datetime | None
