"""What the partner push takes as configuration: the partners (from the settings) and the consumer's rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, field_validator


class EventType(StrEnum):
    sales_order_confirmed = "sales_order.confirmed"  # a sales order reached `confirmed`
    transfer_done = "transfer.done"  # a transfer reached `done`
    contract_signed = "contract.signed"  # a sales order's purchase-sale contract was signed (assistant/contracts)


class Partner(BaseModel):
    """One receiver of webhooks. `name` is stored on its delivery rows: keep it stable across restarts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    url: AnyHttpUrl  # where the events are POSTed
    secret: SecretStr = Field(min_length=16)  # the HMAC-SHA256 key shared with the partner
    events: frozenset[EventType] = Field(min_length=1)
    sites: frozenset[str] | None = None  # None: every site

    @field_validator("secret")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("a partner's secret cannot be blank")
        return value

    def wants(self, event: EventType, site: str) -> bool:
        return event in self.events and (self.sites is None or site in self.sites)


class PartnerRules(BaseModel):
    """How the consumer reads the ledger's document events."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lookback_h: float = Field(default=24.0, gt=0)  # older status changes are never pushed (first start, long outage)
    batch_size: int = Field(default=100, ge=1)  # document events taken per pass
