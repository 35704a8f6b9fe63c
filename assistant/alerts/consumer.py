"""The consumer of the ledger's outbox: undelivered `low_stock` events become alerts, once per breach.

One pass is one transaction: it claims events, settles every (site, item) they or the open alerts concern, writes
the new alerts with one delivery row per target serving the site, and marks the events delivered.

Once per breach: an item at a site has at most one open alert (a partial unique index holds it in the database);
an event while it is open creates nothing. The alert closes when the item's available storage stock is back at its
minimum or above. The ledger writes no event when stock recovers, so every pass checks each open alert against
the stock history since its last check (`levels.replay`): a recovery is found even when the item fell below the
minimum again before the pass, and that new breach opens a new alert. A breach that began and ended between two
passes is not reported (nobody needs to act on it any more); an event whose item is back at its minimum by the
time it is consumed creates nothing either.

Two processes may consume at once. On PostgreSQL each claims its events with SELECT ... FOR UPDATE SKIP LOCKED, then
locks the `safety_stock` rows of the (site, item) pairs it settles, in sorted order (so two passes never deadlock)
and reads the open alerts only after that: the second waits for the first and then sees its alert. On SQLite
BEGIN IMMEDIATE serialises the passes. Should two passes still both insert an open alert (an item without a
safety_stock row to lock), the unique index refuses the second, and that pass is run again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import Engine, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.alerts.config import AlertRules
from assistant.alerts.levels import Crossing, Level, level_now, moves_between, replay, storage_locations
from assistant.alerts.models import AlertDelivery, AlertStatus, DeliveryStatus, StockAlert
from assistant.alerts.reorder import consumption, suggest
from assistant.alerts.targets import Route
from assistant.ledger import models as ledger
from assistant.ledger.db import read_only
from assistant.ledger.types import utcnow
from assistant.world.schema import World

log = structlog.get_logger(__name__)

Clock = Callable[[], dt.datetime]
Key = tuple[str, str]  # (site, item)
LOW_STOCK = "low_stock"
QTY_PLACES = Decimal("0.001")
_ATTEMPTS = 3  # a pass that lost an insert race to another consumer is run again (the second run sees its alert)


@dataclass(frozen=True)
class Consumed:
    """What one pass did: events marked delivered, alerts opened and closed (ids)."""

    events: int = 0
    opened: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Event:
    id: int
    key: Key
    minimum: Decimal | None
    document: str | None
    turn_id: str | None


class AlertConsumer:
    """Blocking database work: call `consume` from a worker thread."""

    def __init__(self, engine: Engine, world: World, routes: Sequence[Route], rules: AlertRules | None = None,
                 *, clock: Clock = utcnow) -> None:
        self._world = world
        self._routes = list(routes)
        self._rules = rules or AlertRules()
        self._clock = clock
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(engine))
        self._items = {item.code: item for item in world.items}
        self._sites = {site.code for site in world.sites}
        self._minimum = {(s.site, s.item): s.minimum.quantize(QTY_PLACES) for s in world.safety_stock}
        self._storage = {site: storage_locations(world, site) for site in self._sites}

    def consume(self) -> Consumed:
        """One pass: the ledger's undelivered low_stock events (up to the batch size) and every open alert."""
        if not self._has_work():
            return Consumed()
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._write.begin() as session:
                    return self._pass(session)
            except IntegrityError:
                if attempt == _ATTEMPTS:
                    raise
                log.info("alerts.consume_raced", attempt=attempt)
        raise AssertionError("unreachable")

    # --- one pass ----------------------------------------------------------------------------------------

    def _has_work(self) -> bool:
        """Whether there is anything to do, read without the SQLite write lock (most passes find nothing): an
        undelivered low_stock event, or an open alert whose item has moved since its last check (or whose last
        checked move is gone: the ledger was reset)."""
        move = ledger.StockMove
        same_item = (move.site == StockAlert.site, move.item == StockAlert.item)
        pending = exists().where(ledger.LedgerEvent.delivered.is_(False), ledger.LedgerEvent.kind == LOW_STOCK)
        moved = exists().where(*same_item, move.id > StockAlert.checked_move_id)
        anchored = exists().where(*same_item, move.id == StockAlert.checked_move_id)
        stale = exists().where(StockAlert.status == str(AlertStatus.open), moved | ~anchored)
        with self._read.begin() as session:
            return bool(session.scalar(select(pending | stale)))

    def _pass(self, session: Session) -> Consumed:
        rows = session.scalars(
            select(ledger.LedgerEvent)
            .where(ledger.LedgerEvent.delivered.is_(False), ledger.LedgerEvent.kind == LOW_STOCK)
            .order_by(ledger.LedgerEvent.id).limit(self._rules.batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        events: dict[Key, list[_Event]] = defaultdict(list)
        for row in rows:
            event = self._event(row.id, row.payload)
            if event is not None:
                events[event.key].append(event)
        open_keys = session.execute(select(StockAlert.site, StockAlert.item)
                                    .where(StockAlert.status == str(AlertStatus.open))).all()
        keys = sorted(set(events) | {(site, item) for site, item in open_keys})
        for site, item in keys:  # lock order: events, then safety_stock rows by (site, item)
            session.execute(select(ledger.SafetyStock.site)
                            .where(ledger.SafetyStock.site == site, ledger.SafetyStock.item == item)
                            .with_for_update())
        opened: list[int] = []
        closed: list[int] = []
        for key in keys:
            o, c = self._settle(session, key, events.get(key, []))
            opened += o
            closed += c
        if rows:
            session.execute(update(ledger.LedgerEvent).where(ledger.LedgerEvent.id.in_([r.id for r in rows]))
                            .values(delivered=True), execution_options={"synchronize_session": False})
        if rows or opened or closed:
            log.info("alerts.consumed", events=len(rows), opened=opened, closed=closed)
        return Consumed(events=len(rows), opened=tuple(opened), closed=tuple(closed))

    def _event(self, event_id: int, payload: dict[str, Any]) -> _Event | None:
        site, item = payload.get("site"), payload.get("item")
        if site not in self._sites or item not in self._items:
            log.warning("alerts.event_unknown_item", event=event_id, site=site, item=item)
            return None
        assert isinstance(site, str) and isinstance(item, str)
        minimum = payload.get("minimum")
        return _Event(id=event_id, key=(site, item),
                      minimum=None if minimum is None else Decimal(str(minimum)).quantize(QTY_PLACES),
                      document=payload.get("document"), turn_id=payload.get("turn_id"))

    def _settle(self, session: Session, key: Key, events: list[_Event]) -> tuple[list[int], list[int]]:
        """Bring (site, item)'s alert up to date with its stock history and its new events."""
        site, item = key
        storage = self._storage[site]
        now_level = level_now(session, site, item, storage)
        alert = session.scalars(select(StockAlert).where(StockAlert.site == site, StockAlert.item == item,
                                                         StockAlert.status == str(AlertStatus.open))).one_or_none()
        minimum = self._minimum.get(key)  # the world's; else what the alert or the event recorded
        if minimum is None:
            minimum = alert.minimum if alert is not None else next(
                (e.minimum for e in events if e.minimum is not None), None)
        if minimum is None:
            return [], []
        opened: list[int] = []
        closed: list[int] = []
        if alert is not None:
            crossings = self._crossings(session, alert, now_level, minimum)
            recovered = next((c for c in crossings if not c.below), None)
            if recovered is not None:
                self._close(session, alert, recovered)
                closed.append(alert.id)
                alert = None
                breached = next((c for c in reversed(crossings) if c.below), None)
                if now_level.available < minimum and breached is not None and breached.move_id > recovered.move_id:
                    event_id = next((e.id for e in events if e.document == breached.document), None)
                    alert = self._open(session, key, now_level, minimum, event_id=event_id,
                                       document=breached.document, turn_id=breached.turn_id)
                    opened.append(alert.id)
            else:
                alert.checked_move_id, alert.checked_level = now_level.move_id, now_level.available
        if alert is None and events:
            if now_level.available < minimum:
                first = events[0]
                alert = self._open(session, key, now_level, minimum, event_id=first.id, document=first.document,
                                   turn_id=first.turn_id)
                opened.append(alert.id)
            else:
                log.info("alerts.breach_already_over", site=site, item=item, events=[e.id for e in events],
                         available=str(now_level.available), minimum=str(minimum))
        return opened, closed

    def _crossings(self, session: Session, alert: StockAlert, now: Level, minimum: Decimal) -> list[Crossing]:
        """Where the level crossed the minimum since the alert's last check; when the history does not add up (the
        ledger was reset under it), the current level alone decides."""
        fallback = [] if now.available < minimum else [
            Crossing(below=False, move_id=now.move_id, ts=self._clock(), document=None, turn_id=None,
                     level=now.available)]
        if now.move_id < alert.checked_move_id:
            log.warning("alerts.history_reset", alert=alert.id)
            return fallback
        moves = moves_between(session, alert.site, alert.item, alert.checked_move_id, now.move_id)
        crossings, end = replay(alert.checked_level, moves, self._storage[alert.site], minimum)
        if end != now.available:
            log.warning("alerts.history_mismatch", alert=alert.id, replayed=str(end), stock=str(now.available))
            return fallback
        return crossings

    # --- writing -----------------------------------------------------------------------------------------

    def _open(self, session: Session, key: Key, level: Level, minimum: Decimal, *, event_id: int | None,
              document: str | None, turn_id: str | None) -> StockAlert:
        site, item = key
        now = self._clock()
        rules = self._rules
        consumed = consumption(session, site, item, self._storage[site], now - dt.timedelta(days=rules.window_days))
        lead, multiple = rules.lead_time(item), rules.multiple(item, self._items[item].box_size)
        suggested = suggest(available=level.available, minimum=minimum, consumed=consumed,
                            window_days=rules.window_days, lead_time_days=lead, multiple=multiple)
        alert = StockAlert(site=site, item=item, status=str(AlertStatus.open), event_id=event_id, document=document,
                           turn_id=turn_id, available=level.available, minimum=minimum, consumption=consumed,
                           window_days=rules.window_days, lead_time_days=lead, order_multiple=multiple,
                           suggested=suggested, checked_move_id=level.move_id, checked_level=level.available,
                           opened_at=now, closed_at=None, closed_level=None)
        session.add(alert)
        session.flush()  # the id, and the unique index checked now
        targets = [route.name for route in self._routes if route.serves(site)]
        session.add_all(AlertDelivery(alert_id=alert.id, target=name, status=str(DeliveryStatus.pending), attempts=0,
                                      next_attempt_at=now, last_error=None, created_at=now, sent_at=None)
                        for name in targets)
        log.info("alerts.opened", alert=alert.id, site=site, item=item, available=str(level.available),
                 minimum=str(minimum), suggested=str(suggested), targets=targets)
        return alert

    @staticmethod
    def _close(session: Session, alert: StockAlert, recovered: Crossing) -> None:
        alert.status = str(AlertStatus.closed)
        alert.closed_at = recovered.ts
        alert.closed_level = recovered.level
        alert.checked_move_id, alert.checked_level = recovered.move_id, recovered.level
        session.flush()  # closed before a new alert of the same item is inserted (the unique index)
        log.info("alerts.closed", alert=alert.id, site=alert.site, item=alert.item, available=str(recovered.level))
