"""Safety-stock alerts that reach people.

The ledger writes a `low_stock` event in its outbox (`ledger_events`) when a confirmed move takes an item below its
safety stock. `AlertConsumer` turns those into alerts, once per breach, each with one delivery row per target that
serves the site; `AlertService` runs it in an asyncio loop and sends the deliveries (group chats through the senders
in `server/channels/groups.py`, the supervisors' devices and the dashboard through a `CallbackTarget`), retrying
failures with backoff until each target has accepted its alert.

    service = AlertService(engine, world, [wecom_group, dingtalk_group, CallbackTarget("push", on_alert)])
    await service.start()       # in the app's lifespan; `await service.stop()` on the way out
    service.poke()              # after a confirmation that reported low stock: consume and send now
"""

from assistant.alerts.config import AlertRules, DeliveryPolicy
from assistant.alerts.consumer import AlertConsumer, Consumed
from assistant.alerts.models import AlertDelivery, AlertsBase, AlertStatus, DeliveryStatus, StockAlert
from assistant.alerts.reorder import consumption, suggest
from assistant.alerts.service import AlertService, PassReport
from assistant.alerts.store import AlertStore, Claimed, forget_alerts
from assistant.alerts.targets import CallbackTarget, DeliveryFailed, OnAlert, Route, Target
from assistant.alerts.views import Alert, Delivery

__all__ = [
    "Alert", "AlertConsumer", "AlertDelivery", "AlertRules", "AlertService", "AlertStatus", "AlertStore", "AlertsBase",
    "CallbackTarget", "Claimed", "Consumed", "Delivery", "DeliveryFailed", "DeliveryPolicy", "DeliveryStatus",
    "OnAlert", "PassReport", "Route", "StockAlert", "Target", "consumption", "forget_alerts", "suggest",
]
