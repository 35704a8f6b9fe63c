"""What the alerts take as configuration (constructor arguments; the app wiring fills them from its settings)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.outbox import DeliveryPolicy

__all__ = ["AlertRules", "DeliveryPolicy"]  # the policy is shared with the partner webhooks (assistant.outbox)


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AlertRules(_Config):
    """What an alert says: the consumption window, the lead time and order multiples for the reorder suggestion."""

    window_days: int = Field(default=7, ge=1, le=366)  # consumption is summed over this many days
    lead_time_days: Decimal = Field(default=Decimal(7), ge=0, le=366)  # from ordering to goods on the shelf
    lead_time_by_item: dict[str, Decimal] = Field(default_factory=dict)  # item code -> days, where it differs
    order_multiple_by_item: dict[str, int] = Field(default_factory=dict)  # item code -> multiple (else box size)
    batch_size: int = Field(default=100, ge=1)  # ledger events taken per pass

    @model_validator(mode="after")
    def _positive(self) -> AlertRules:
        if any(days < 0 for days in self.lead_time_by_item.values()):
            raise ValueError("a lead time cannot be negative")
        if any(multiple < 1 for multiple in self.order_multiple_by_item.values()):
            raise ValueError("an order multiple is at least 1")
        return self

    def lead_time(self, item: str) -> Decimal:
        return self.lead_time_by_item.get(item, self.lead_time_days)

    def multiple(self, item: str, box_size: int | None) -> int:
        return self.order_multiple_by_item.get(item) or box_size or 1
