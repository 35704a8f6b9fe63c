"""Small helpers for the alert tests: routes, a recording target, ledger moves in one call, direct table reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.alerts import Alert, AlertDelivery, DeliveryFailed, StockAlert
from assistant.ledger import models
from assistant.ledger.service import Ledger
from assistant.ledger.views import Document


def d(value: str | int | Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"))


class Named:
    """A route: a name and the sites it serves (None: all)."""

    def __init__(self, name: str, sites: Collection[str] | None = None) -> None:
        self._name, self._sites = name, sites

    @property
    def name(self) -> str:
        return self._name

    def serves(self, site: str) -> bool:
        return self._sites is None or site in self._sites


class Recorder(Named):
    """A target that records what it is given and fails its first `failures` attempts."""

    def __init__(self, name: str, sites: Collection[str] | None = None, failures: int = 0) -> None:
        super().__init__(name, sites)
        self.failures = failures
        self.attempts = 0
        self.received: list[Alert] = []

    async def deliver(self, alert: Alert) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise DeliveryFailed(f"{self.name} is down (attempt {self.attempts})")
        self.received.append(alert)


def transfer(ledger: Ledger, site: str, item: str, qty: int, to: str, source: str | None = None,
             *, complete: bool = False) -> Document:
    plan = ledger.plan_transfer(site, item, d(qty), to, source)
    doc = ledger.confirm_transfer(plan, device="HMD-01", worker="W01", turn_id=f"t-{item}-{qty}-{to}")
    if complete:
        ledger.start_transfer(doc.id)
        doc = ledger.complete_transfer(doc.id)
    return doc


def sell(ledger: Ledger, item: str, qty: int, day: dt.date = dt.date(2025, 1, 20)) -> Document:
    plan = ledger.plan_sales_order("FZ", "C000", day, [(item, d(qty))])
    return ledger.confirm_sales_order(plan, device="PAD-01", worker="W11", turn_id=f"t-sale-{item}-{qty}")


def alert_rows(engine: Engine) -> list[StockAlert]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(StockAlert).order_by(StockAlert.id)))


def delivery_rows(engine: Engine) -> list[AlertDelivery]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def undelivered_events(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.scalars(select(models.LedgerEvent).where(models.LedgerEvent.delivered.is_(False))).all())
