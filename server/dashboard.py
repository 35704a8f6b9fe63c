"""The supervisors' dashboard: the site as it is (a snapshot) and what changes, published into the `SiteFeed`.

Where the changes come from, all in this process:
- a turn put on the record (`TurnRecorder`'s listener) → the turn, then the documents it made or changed;
- a transfer waiting for approval, approved or rejected (the approvals' notifier, spoken or by the API);
- the fleet's events (arrived, picked, dropped, waiting) → the news, the vehicle and its transfer's new status;
- the vehicles' positions and batteries, sampled while somebody watches the site (the fleet emits events only at
  milestones, and a map that moves needs the positions in between);
- safety-stock alerts: read from the alert store while somebody watches the site (opened, and closed again when
  the stock recovers), and at once through `on_alert`, an `OnAlert` for the alert service's `CallbackTarget`
  (`alert_target()`), where the service is given that target;
- after each document change, the site's items below their safety stock (from the ledger, with or without the
  alert service).
Each event goes to its own site only: a dashboard of another site never hears of it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

import structlog

from assistant.access import check
from assistant.alerts import Alert, AlertStatus, AlertStore, CallbackTarget
from assistant.dialogue.approvals import ApprovalNotice
from assistant.dialogue.progress import Told, progress_text
from assistant.fleet import AgvArrived, AgvDropped, AgvPicked, AgvView, FleetEvent, FleetService, TransferWaiting
from assistant.journal import TurnJournal, TurnRecord
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocStatus
from assistant.ledger.views import Document
from assistant.pipeline import TurnContext
from assistant.world.schema import Permission, World
from server.feed import SiteFeed
from server.render.documents import agv_order_out, document_out
from server.schemas.dashboard import (
    AgvNewsOut,
    AgvStateOut,
    AlertEventOut,
    AlertOut,
    DashAgvOut,
    DashDocumentOut,
    DocumentEventOut,
    LowStockOut,
    NamesOut,
    PlaceOut,
    SiteMapOut,
    SnapshotOut,
    StockEventOut,
    TurnEventOut,
)
from server.schemas.records import TurnRecordOut

log = structlog.get_logger(__name__)

SNAPSHOT_DOCUMENTS = 100
SNAPSHOT_TURNS = 100
SNAPSHOT_ALERTS = 50
AGV_SAMPLE_S = 0.5
ALERT_EVERY = 4  # AGV samples between two looks at the alert store (2 s)


def turn_record_out(record: TurnRecord) -> TurnRecordOut:
    return TurnRecordOut.model_validate({**record.model_dump(mode="json"), "ts": record.ts.isoformat()})


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(id=alert.id, status=str(alert.status), item=alert.item, item_name=alert.item_name,
                    item_name_en=alert.item_name_en, unit=alert.unit, available=float(alert.available),
                    minimum=float(alert.minimum), suggested=float(alert.suggested), document=alert.document,
                    turn_id=alert.turn_id, opened_at=alert.opened_at.isoformat(),
                    closed_at=alert.closed_at.isoformat() if alert.closed_at else None, title=alert.title,
                    text_zh=alert.text_zh, text_en=alert.text_en)


def fan_out(*sinks: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    """One listener that tells several, in order; one that fails does not keep the news from the others."""
    async def tell(news: Any) -> None:
        for sink in sinks:
            try:
                await sink(news)
            except Exception:
                log.exception("listener-failed", listener=getattr(sink, "__qualname__", repr(sink)))
    return tell


class Dashboard:
    def __init__(self, world: World, ledger: Ledger, journal: TurnJournal, alerts: AlertStore,
                 feed: SiteFeed) -> None:
        self.world = world
        self.ledger = ledger
        self.journal = journal
        self.alerts = alerts
        self.feed = feed
        self.fleet: FleetService | None = None  # set once the fleet is built (it is built with our listener)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sampler: asyncio.Task[None] | None = None
        self._last_agv: dict[str, DashAgvOut] = {}
        self._open_alerts: dict[str, set[int]] = {}  # per watched site: the open alerts its dashboards know
        self._alerts_lock = threading.Lock()

    # --- who may watch, and what they see first -----------------------------------------------------------

    def may_watch(self, ctx: TurnContext) -> bool:
        """The site's supervisors and managers (the policies' `review` permission)."""
        return check(self.world, ctx.worker, Permission.review) is None

    def snapshot(self, ctx: TurnContext) -> SnapshotOut:
        """Blocking (database reads): call it from a worker thread."""
        site = self.world.site(ctx.site)
        worker = next(w for w in self.world.workers if w.code == ctx.worker)
        recent = self.ledger.recent_documents(site.code, SNAPSHOT_DOCUMENTS)
        waiting = self.ledger.recent_documents(site.code, 1000, status=DocStatus.awaiting_approval)
        by_id = {d.id: d for d in (*recent, *waiting)}
        documents = sorted(by_id.values(), key=lambda d: (d.created_at, d.id), reverse=True)
        return SnapshotOut(
            site=site.code, site_name=site.name, site_name_en=site.name_en, device=ctx.device, worker=worker.code,
            worker_name=worker.name, language=ctx.language,
            may_approve=check(self.world, worker.code, Permission.approve) is None,
            documents=[self.document_out(d) for d in documents],
            agvs=[self._agv_out(view) for view in self._agv_views(site.code)],
            low_stock=self.low_stock(site.code),
            alerts=[alert_out(a) for a in self._known_alerts(site.code)],
            turns=[turn_record_out(r) for r in self.journal.recent(site.code, limit=SNAPSHOT_TURNS)],
            map=self._map(site.code), names=self._names(site.code))

    def document_out(self, document: Document) -> DashDocumentOut:
        person = next((w for w in self.world.workers if w.code == document.worker), None)
        return DashDocumentOut(**document_out(document).model_dump(), worker=document.worker,
                               worker_name=person.name if person else None, device=document.device,
                               updated_at=document.updated_at.isoformat())

    def low_stock(self, site: str) -> list[LowStockOut]:
        """Blocking. The site's items whose available storage stock is below their safety stock."""
        low = []
        for rule in self.world.safety_stock:
            if rule.site != site:
                continue
            available = self.ledger.available_total(site, rule.item)
            if available < rule.minimum:
                item = self.world.item(rule.item)
                low.append(LowStockOut(item=item.code, item_name=item.name, item_name_en=item.name_en,
                                       unit=item.unit, available=float(available), minimum=float(rule.minimum)))
        return low

    def turns_of(self, document: Document) -> list[TurnRecordOut]:
        """Blocking. The turns that made a document and changed its status, in order (those on the record)."""
        records = (self.journal.get(turn_id) for turn_id in document.turns)
        return [turn_record_out(r) for r in records if r is not None and r.site == document.site]

    def _names(self, site_code: str) -> NamesOut:
        site = self.world.site(site_code)
        return NamesOut(items={i.code: (i.name, i.name_en) for i in self.world.items},
                        locations={loc.code: (loc.name, loc.display_name("en")) for loc in site.locations},
                        units={u.code: (u.names[0], next((n for n in u.names if n.isascii()), u.code))
                               for u in self.world.units},
                        item_units={i.code: i.unit for i in self.world.items},
                        workers={w.code: w.name for w in self.world.workers if w.site == site_code})

    def _map(self, site_code: str) -> SiteMapOut | None:
        site = self.world.site(site_code)
        site_map = next((m for m in self.world.maps if m.code == site.map), None)
        if site_map is None:
            return None
        places = [PlaceOut(code=loc.code, name=loc.name, name_en=loc.display_name("en"), kind=str(loc.kind),
                           node=loc.node) for loc in site.locations if loc.node in site_map.nodes and loc.node]
        return SiteMapOut(nodes=dict(site_map.nodes), edges=[tuple(e) for e in site_map.edges], places=places)

    # --- AGVs ---------------------------------------------------------------------------------------------

    def _agv_views(self, site: str) -> list[AgvView]:
        return [] if self.fleet is None else [v for v in self.fleet.agvs() if v.site == site]

    def _agv_out(self, view: AgvView) -> DashAgvOut:
        order = self.fleet.order(view.doc_id) if self.fleet is not None and view.doc_id else None
        return DashAgvOut(**view.model_dump(), order=agv_order_out(order) if order is not None else None)

    def _site_of_agv(self, serial: str | None) -> str | None:
        return next((a.site for a in self.world.agvs if a.serial == serial), None)

    def _sample(self, sites: Iterable[str]) -> list[tuple[str, DashAgvOut]]:
        wanted = set(sites)
        if self.fleet is None or not wanted:
            return []
        return [(view.site, self._agv_out(view)) for view in self.fleet.agvs() if view.site in wanted]

    async def _sample_agvs(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(AGV_SAMPLE_S)
            ticks += 1
            try:
                await self.publish_agvs()
                if ticks % ALERT_EVERY == 0:
                    await self.publish_alerts()
            except Exception:  # the database away for a moment: next time
                log.exception("dashboard.sample_failed")

    async def publish_agvs(self, force: bool = False) -> None:
        """Each watched site's vehicles whose state changed since the last look."""
        for site, agv in await asyncio.to_thread(self._sample, self.feed.sites()):
            if force or self._last_agv.get(agv.serial) != agv:
                self._last_agv[agv.serial] = agv
                self.feed.publish(site, AgvStateOut(agv=agv))

    # --- alerts ------------------------------------------------------------------------------------------

    def _known_alerts(self, site: str) -> list[Alert]:
        """Blocking. The site's open alerts; the first dashboard of a site starts the watch from them."""
        open_now = self.alerts.alerts(site=site, status=AlertStatus.open, limit=SNAPSHOT_ALERTS)
        with self._alerts_lock:
            self._open_alerts.setdefault(site, set()).update(a.id for a in open_now)
        return open_now

    def _alert_changes(self, sites: set[str]) -> list[Alert]:
        """Blocking. Alerts opened or closed at the watched sites since the last look."""
        changed: list[Alert] = []
        with self._alerts_lock:
            for site in set(self._open_alerts) - sites:  # nobody watches it any more
                del self._open_alerts[site]
            watched = {site: set(ids) for site, ids in self._open_alerts.items()}
        for site, known in watched.items():
            open_now = {a.id: a for a in self.alerts.alerts(site=site, status=AlertStatus.open,
                                                            limit=SNAPSHOT_ALERTS)}
            changed += [a for i, a in open_now.items() if i not in known]
            changed += [a for i in known - set(open_now) if (a := self.alerts.alert(i)) is not None]
            with self._alerts_lock:
                if site in self._open_alerts:
                    self._open_alerts[site] = set(open_now)
        return changed

    async def publish_alerts(self) -> None:
        for alert in await asyncio.to_thread(self._alert_changes, self.feed.sites()):
            self.feed.publish(alert.site, AlertEventOut(alert=alert_out(alert)))

    # --- lifecycle ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._sampler is None:
            self._sampler = asyncio.create_task(self._sample_agvs(), name="dashboard-agvs")

    async def stop(self) -> None:
        tasks = [t for t in (self._sampler, *self._tasks) if t is not None]
        self._sampler = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        """Off the caller's path (a turn's answer waits for its record, not for the dashboard)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- sources ------------------------------------------------------------------------------------------

    async def turn_recorded(self, record: TurnRecord) -> None:
        """The recorder's listener: the turn now, the documents it touched right after."""
        self.feed.publish(record.site, TurnEventOut(turn=turn_record_out(record)))
        if record.documents:
            self._later(self._documents_changed(record.documents))

    async def document_changed(self, doc_id: str) -> None:
        await self._documents_changed((doc_id,))

    async def _documents_changed(self, doc_ids: Iterable[str]) -> None:
        try:
            documents, sites = await asyncio.to_thread(self._load, tuple(doc_ids))
            for document in documents:
                self.feed.publish(document.site, DocumentEventOut(document=self.document_out(document)))
            await self._stock_changed(sites)
        except Exception:
            log.exception("dashboard.documents_failed")

    def _load(self, doc_ids: tuple[str, ...]) -> tuple[list[Document], set[str]]:
        documents = []
        for doc_id in doc_ids:
            with contextlib.suppress(DocumentNotFound):
                documents.append(self.ledger.document(doc_id))
        return documents, {d.site for d in documents}

    async def _stock_changed(self, sites: Iterable[str]) -> None:
        for site in sites:
            if self.feed.listeners(site):
                low = await asyncio.to_thread(self.low_stock, site)
                self.feed.publish(site, StockEventOut(low_stock=low))

    async def on_approval(self, said: ApprovalNotice) -> None:
        """The approvals' notifier: a transfer now waits for approval, or was approved or rejected."""
        document = said.document
        self.feed.publish(document.site, DocumentEventOut(document=self.document_out(document)))
        self._later(self._stock_changed((document.site,)))

    async def on_fleet_event(self, event: FleetEvent) -> None:
        """The fleet's listener: the news in words, the vehicle now, and its transfer's new status."""
        site = event.site if isinstance(event, TransferWaiting) else self._site_of_agv(event.serial)
        if site is None and event.doc_id:
            _, sites = await asyncio.to_thread(self._load, (event.doc_id,))
            site = next(iter(sites), None)
        if site is None:
            return
        told = isinstance(event, AgvArrived | AgvPicked | AgvDropped | TransferWaiting)
        text_zh = progress_text(self.world, _told(event), "zh") if told else None
        text_en = progress_text(self.world, _told(event), "en") if told else None
        self.feed.publish(site, AgvNewsOut(event=event, text_zh=text_zh, text_en=text_en))
        if self.feed.listeners(site):
            self._later(self.publish_agvs(force=True))
        if event.doc_id:
            self._later(self._documents_changed((event.doc_id,)))

    async def on_alert(self, alert: Alert) -> None:
        """An `OnAlert` for the alerts' `CallbackTarget`: a safety-stock alert onto its site's dashboards (the
        open ones are also in every snapshot, read from the alert store)."""
        with self._alerts_lock:
            known = self._open_alerts.get(alert.site)
            if known is not None:
                (known.add if alert.status is AlertStatus.open else known.discard)(alert.id)
        self.feed.publish(alert.site, AlertEventOut(alert=alert_out(alert)))

    def alert_target(self, name: str = "dashboard") -> CallbackTarget:
        """The alert service's target for the dashboards:
        `AlertService(engine, world, [..., services.dashboard.alert_target()])`."""
        return CallbackTarget(name, self.on_alert)


def _told(event: FleetEvent) -> Told:
    assert isinstance(event, AgvArrived | AgvPicked | AgvDropped | TransferWaiting)
    return event

