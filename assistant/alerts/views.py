"""What the alerts hand out: frozen pydantic values, JSON-ready for a socket push or the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from assistant.alerts.models import AlertDelivery, AlertStatus, DeliveryStatus, StockAlert
from assistant.alerts.render import AlertFacts, render_markdown, render_text, render_title
from assistant.alerts.reorder import daily_usage
from assistant.world.schema import World


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class Alert(_Value):
    """One breach of a safety stock, with its words rendered in both languages (Mandarin first)."""

    id: int
    status: AlertStatus
    site: str
    site_name: str
    site_name_en: str
    item: str
    item_name: str
    item_name_en: str
    unit: str  # the item's base unit code: every quantity below is in it
    available: Decimal  # available storage stock when the alert was opened
    minimum: Decimal
    consumption: Decimal  # over the last `window_days`
    window_days: int
    daily_usage: Decimal
    lead_time_days: Decimal
    order_multiple: int
    suggested: Decimal  # suggested reorder quantity
    document: str | None
    turn_id: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    title: str  # "库存预警：曲轴 / Low stock: crankshaft" (a DingTalk message's title)
    text_zh: str  # markdown, Mandarin only
    text_en: str  # markdown, English only
    markdown: str  # both, Mandarin first: what a group chat is sent


class Delivery(_Value):
    id: int
    alert_id: int
    target: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


def alert_view(row: StockAlert, world: World) -> Alert:
    site = next(s for s in world.sites if s.code == row.site)
    item = world.item(row.item)
    facts = AlertFacts(site=site, item=item, available=row.available, minimum=row.minimum,
                       consumption=row.consumption, window_days=row.window_days, lead_time_days=row.lead_time_days,
                       order_multiple=row.order_multiple, suggested=row.suggested, document=row.document)
    return Alert(
        id=row.id, status=AlertStatus(row.status), site=row.site, site_name=site.name, site_name_en=site.name_en,
        item=row.item, item_name=item.name, item_name_en=item.name_en, unit=item.unit, available=row.available,
        minimum=row.minimum, consumption=row.consumption, window_days=row.window_days,
        daily_usage=daily_usage(row.consumption, row.window_days).quantize(Decimal("0.001")),
        lead_time_days=row.lead_time_days, order_multiple=row.order_multiple, suggested=row.suggested,
        document=row.document, turn_id=row.turn_id, opened_at=row.opened_at, closed_at=row.closed_at,
        title=render_title(facts), text_zh=render_text(world, facts, "zh"), text_en=render_text(world, facts, "en"),
        markdown=render_markdown(world, facts))


def delivery_view(row: AlertDelivery) -> Delivery:
    return Delivery(id=row.id, alert_id=row.alert_id, target=row.target, status=DeliveryStatus(row.status),
                    attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
                    created_at=row.created_at, sent_at=row.sent_at)
