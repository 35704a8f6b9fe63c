"""What the delivery log hands out: frozen pydantic values."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from assistant.partners.config import EventType
from assistant.partners.models import DeliveryStatus, PartnerDelivery, PartnerEvent


class Delivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    event_id: str
    event_type: EventType
    document: str
    site: str
    partner: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    last_status: int | None
    occurred_at: dt.datetime
    created_at: dt.datetime
    delivered_at: dt.datetime | None


def delivery_view(row: PartnerDelivery, event: PartnerEvent) -> Delivery:
    return Delivery(id=row.id, event_id=row.event_id, event_type=EventType(event.type), document=row.document_id,
                    site=row.site, partner=row.partner, status=DeliveryStatus(row.status), attempts=row.attempts,
                    next_attempt_at=row.next_attempt_at, last_error=row.last_error, last_status=row.last_status,
                    occurred_at=event.occurred_at, created_at=row.created_at, delivered_at=row.delivered_at)
