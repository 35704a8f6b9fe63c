"""What the alerts take as configuration (constructor arguments; the app wiring fills them from its settings)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator


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


class DeliveryPolicy(_Config):
    """How the delivery loop wakes and retries. A failed delivery waits
    min(retry_max_s, retry_initial_s * retry_factor ** (attempts - 1)), give or take `jitter` of it."""

    poll_s: float = Field(default=5.0, gt=0)  # a pass at least this often (the ledger's outbox, due retries)
    retry_initial_s: float = Field(default=5.0, gt=0)
    retry_factor: float = Field(default=2.0, ge=1)
    retry_max_s: float = Field(default=900.0, gt=0)
    jitter: float = Field(default=0.1, ge=0, le=1)  # spread retries of many rows after an outage
    send_timeout_s: float = Field(default=20.0, gt=0)  # one delivery attempt; longer counts as a failure
    lease_s: float = Field(default=120.0, gt=0)  # a claimed row is due again after this if its sender died
    batch_size: int = Field(default=50, ge=1)  # deliveries claimed per pass

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> DeliveryPolicy:
        if self.lease_s <= self.send_timeout_s:
            raise ValueError("lease_s must be longer than send_timeout_s (else a slow send is sent twice)")
        return self

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` failed ones (without jitter)."""
        return float(min(self.retry_max_s, self.retry_initial_s * self.retry_factor ** max(0, attempts - 1)))
