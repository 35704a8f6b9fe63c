"""What the delivery outboxes (safety-stock alerts, partner webhooks) share: how a delivery loop wakes, leases its
rows and backs off after a failure."""

from assistant.outbox.policy import DeliveryPolicy
from assistant.outbox.wakeups import Wakeups

__all__ = ["DeliveryPolicy", "Wakeups"]
