"""The delivery policy of an outbox: poll interval, lease, send timeout and the retry backoff."""

from __future__ import annotations

import random

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DeliveryPolicy(BaseModel):
    """How a delivery loop wakes and retries. A failed delivery waits
    min(retry_max_s, retry_initial_s * retry_factor ** (attempts - 1)), give or take `jitter` of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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

    def jittered_delay(self, attempts: int) -> float:
        """`retry_delay(attempts)`, moved by up to ± `jitter` of itself at random."""
        return self.retry_delay(attempts) * (1 + self.jitter * (2 * random.random() - 1))
