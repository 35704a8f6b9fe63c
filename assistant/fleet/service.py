"""`FleetService`: VDA 5050 master control. Turns confirmed transfers into AGV orders and AGV progress into
ledger changes: pick finished → `start_transfer`, drop finished → `complete_transfer` (the stock moves then).

All state changes run under one asyncio lock, so an MQTT message and an API call never interleave; ledger and
store calls are short synchronous transactions run in worker threads.

Several app processes may run one fleet (`assistant.fleet.leadership`): each watches every vehicle (views,
events for its own sockets), but only the leader assigns vehicles, publishes from the outbox and resends. A
follower writes what it was asked for (a transfer handed over, a cancel in the outbox) and wakes the leader;
changes in any process also hold the cross-process write lock."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import Engine

from assistant.fleet import messages
from assistant.fleet.broker import BrokerAddress, EmbeddedBroker
from assistant.fleet.errors import CancelRefused, NotATransfer, NotDispatchable
from assistant.fleet.leadership import Dispatch, Hooks, coordinator_for
from assistant.fleet.link import MqttLink
from assistant.fleet.models import (
    ACTIVE,
    AgvArrived,
    AgvDropped,
    AgvError,
    AgvOffline,
    AgvOrderView,
    AgvPicked,
    AgvView,
    FleetEvent,
    LinkStatus,
    TransferWaiting,
    WaitReason,
)
from assistant.fleet.store import FleetStore, FleetTransfer, OutboxMessage, outbox_action, outbox_order, utcnow
from assistant.fleet.tasks import stop_task
from assistant.fleet.topics import DEFAULT_BASE, parse_topic, topic_name, wildcard
from assistant.fleet.tracker import Vehicle, describe_errors
from assistant.fleet.validation import InvalidMessage, Topic, parse, validate
from assistant.ledger.errors import InvalidState
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocStatus, DocType
from assistant.ledger.views import Document
from assistant.routing import Route, Router, RoutingError
from assistant.world.schema import Role, World

log = structlog.get_logger(__name__)

EventSink = Callable[[FleetEvent], Awaitable[None]]
_EVENTS: TypeAdapter[FleetEvent] = TypeAdapter(FleetEvent)


class FleetSettings(BaseModel):
    """What a deployment may tune, with the only defaults; a pydantic model so the app's settings nest it (`fleet`)
    and refuse a bad value at start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # interfaceName/majorVersion, maybe under a prefix: MQTT topic levels, so no wildcards and no empty level
    base_topic: str = Field(default=DEFAULT_BASE, pattern=r"^[^/+#\s]+(/[^/+#\s]+)*$")
    min_battery: float = Field(default=20.0, ge=0, le=100)  # percent; below it a vehicle gets no new order
    resend_s: float = Field(default=2.0, gt=0)  # unacknowledged orders are resent this often (QoS 0 may lose them)
    # Several processes on one PostgreSQL database elect one dispatcher (on SQLite the one process is it);
    # never: this process only watches and hands transfers over to the dispatcher elsewhere.
    dispatch: Dispatch = "auto"
    leader_retry_s: float = Field(default=2.0, gt=0)  # a follower tries to become the dispatcher this often
    leader_check_s: float = Field(default=1.0, gt=0)  # the dispatcher checks its lock connection this often
    handover_s: float = Field(default=3.0, ge=0)  # a follower waits this long for the dispatcher's assignment


class FleetConfig(FleetSettings):
    """The settings plus this process's MQTT client id, which is not a setting: the app generates a unique one
    (two masters with one client id on a broker would disconnect each other in turn)."""

    client_id: str = "frontline-master"


class FleetService:
    def __init__(self, engine: Engine, world: World, ledger: Ledger, broker_url: str | None,
                 on_event: EventSink | None = None, *, config: FleetConfig | None = None,
                 router: Router | None = None, embedded_port: int = 0,
                 on_remote_event: EventSink | None = None) -> None:
        """`on_event` runs in the process that emitted the event (the dispatcher), once per event;
        `on_remote_event` runs in every other process for the same event (what only it can reach: its sockets)."""
        self._world, self._ledger = world, ledger
        self._on_event, self._on_remote_event = on_event, on_remote_event
        self._config = config or FleetConfig()
        self._coord = coordinator_for(engine, base_topic=self._config.base_topic, dispatch=self._config.dispatch,
                                      retry_s=self._config.leader_retry_s, check_s=self._config.leader_check_s,
                                      origin=self._config.client_id)
        self._router = router or Router(world)
        self._store = FleetStore(engine)
        self._embedded = EmbeddedBroker(port=embedded_port) if broker_url is None else None
        self._broker = self._embedded.address if self._embedded else BrokerAddress.from_url(broker_url or "")
        self._vehicles = {(a.manufacturer, a.serial): Vehicle(a) for a in world.agvs}
        self._headers = messages.Headers()
        self._lock = asyncio.Lock()
        self._link: MqttLink | None = None
        self._resender: asyncio.Task[None] | None = None
        self.invalid_messages = 0  # received messages dropped as malformed or schema-invalid

    @property
    def broker_url(self) -> str:
        """Where vehicles (and the simulator) connect; the embedded broker's address when none was configured."""
        return self._broker.url

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self._store.create_tables)
        if self._embedded is not None:
            await self._embedded.start()
        base = self._config.base_topic
        self._link = MqttLink(
            self._broker, self._config.client_id, on_message=self._on_message, on_connect=self._on_connect,
            subscriptions=[(wildcard(base, Topic.connection), 1), (wildcard(base, Topic.state), 0),
                           (wildcard(base, Topic.visualization), 0)])
        await self._link.start()
        self._resender = asyncio.create_task(self._resend_loop(), name="fleet-resend")
        await self._coord.start(Hooks(on_elected=self._on_elected, on_deposed=self._on_deposed,
                                      on_wake=self._on_wake, on_event=self._on_remote))
        log.info("fleet.started", broker=self.broker_url, base=base, dispatching=self.leading)

    async def stop(self) -> None:
        await self._coord.stop()  # first: another process may take over while this one winds down
        if self._resender is not None:
            await stop_task(self._resender)
        if self._link is not None:
            await self._link.stop()
        if self._embedded is not None:
            await self._embedded.stop()
        log.info("fleet.stopped")

    async def wait_connected(self, timeout: float = 5.0) -> None:
        assert self._link is not None, "start() first"
        await asyncio.wait_for(self._link.connected.wait(), timeout)

    @property
    def leading(self) -> bool:
        """This process is the fleet's dispatcher now."""
        return self._coord.leading

    @contextlib.asynccontextmanager
    async def _section(self) -> AsyncIterator[bool]:
        """A fleet change: this process's lock, then the cross-process one; yields whether it dispatches."""
        async with self._lock, self._coord.exclusive() as leading:
            yield leading

    # --- public API ------------------------------------------------------------------------------------

    async def dispatch_transfer(self, doc_id: str, turn_id: str | None = None) -> AgvOrderView:
        """Give a confirmed transfer to the best AGV (order stored, then published). With no AGV available the
        transfer waits (status waiting, reason no_agv) and is dispatched as soon as one is.

        On a follower the transfer is handed over to the dispatcher (stored waiting, the dispatcher woken), and
        the answer is the dispatcher's assignment if it comes within `handover_s`, else the waiting transfer.

        Raises NotATransfer, NotDispatchable, or a RoutingError (location not on the map, unreachable)."""
        async with self._section() as leading:
            doc = await asyncio.to_thread(self._ledger.document, doc_id)
            if doc.type is not DocType.transfer:
                raise NotATransfer(doc_id)
            link = await asyncio.to_thread(self._store.link, doc_id)
            if link is not None and LinkStatus(link.status) is not LinkStatus.waiting:
                return link.view()  # already under way, done or cancelled: dispatching twice changes nothing
            if doc.status not in (DocStatus.confirmed, DocStatus.in_progress):
                raise NotDispatchable(doc_id, str(doc.status))
            sources, destination = self._stops(doc)
            site = doc.site
            self._router.route_via(site, [*[n for _, n in sources], destination[1]])  # unreachable → raises
            if link is None:
                now = utcnow()
                link = FleetTransfer(doc_id=doc_id, site=site, turn_id=turn_id, status=str(LinkStatus.waiting),
                                     order_update_id=0, attempt=0, picked=doc.status is DocStatus.in_progress,
                                     sources=[loc for loc, _ in sources], destination=destination[0],
                                     created_at=now, updated_at=now)
            link.turn_id = turn_id or link.turn_id
            if leading:
                return await self._assign(link, doc)
            # Waiting with no reason yet: the dispatcher has not looked at it (it gives one when it does).
            fresh = link.reason is None
            await self._save(link, [])
        await self._coord.wake()
        return await self._handed_over(doc_id) if fresh else link.view()

    async def cancel(self, doc_id: str, turn_id: str | None = None) -> AgvOrderView:
        """Stop the AGV order and cancel the transfer in the ledger (releasing its reservation).

        Refused (CancelRefused) once the goods are picked up or delivered. On a follower the cancelOrder waits
        in the outbox for the dispatcher (woken), which publishes it."""
        async with self._section() as leading:
            doc = await asyncio.to_thread(self._ledger.document, doc_id)
            if doc.type is not DocType.transfer:
                raise NotATransfer(doc_id)
            link = await asyncio.to_thread(self._store.link, doc_id)
            if doc.status is DocStatus.done or (link is not None and link.status == LinkStatus.done):
                raise CancelRefused(doc_id, "already delivered")
            if doc.status is DocStatus.in_progress or (link is not None and link.picked):
                raise CancelRefused(doc_id, "the goods are on the AGV")
            outbox: list[OutboxMessage] = []
            if link is not None and LinkStatus(link.status) in ACTIVE and link.serial and link.manufacturer:
                outbox.append(outbox_action(doc_id, messages.cancel_order(link.manufacturer, link.serial)))
                self._vehicle(link.manufacturer, link.serial).cancelled_orders.add(link.order_id or "")
            if doc.status is DocStatus.confirmed:
                await asyncio.to_thread(self._ledger.cancel_document, doc_id, turn_id)
            if link is None:
                sources, destination = self._stops(doc)
                now = utcnow()
                link = FleetTransfer(doc_id=doc_id, site=doc.site, turn_id=turn_id, order_update_id=0, attempt=0,
                                     picked=False, sources=[loc for loc, _ in sources], destination=destination[0],
                                     created_at=now, updated_at=now)
            link.status, link.reason, link.detail = str(LinkStatus.cancelled), None, None
            await self._flush(await self._save(link, outbox, supersede=True))
            log.info("fleet.transfer_cancelled", document=doc_id, serial=link.serial, dispatcher=leading)
        if not leading and outbox:
            await self._coord.wake()
        return link.view()

    def agvs(self) -> list[AgvView]:
        busy = {link.serial: link for link in self._store.links(ACTIVE)}
        return [self._agv_view(v, busy.get(v.agv.serial)) for v in self._vehicles.values()]

    def orders(self) -> list[AgvOrderView]:
        return [link.view() for link in self._store.links()]

    def order(self, doc_id: str) -> AgvOrderView | None:
        link = self._store.link(doc_id)
        return link.view() if link else None

    # --- assigning -------------------------------------------------------------------------------------

    def _stops(self, doc: Document) -> tuple[list[tuple[str, str]], tuple[str, str]]:
        """(location, node) of each source in line order, and of the destination."""
        sources: list[tuple[str, str]] = []
        for line in doc.lines:
            if line.from_location and line.from_location not in [s for s, _ in sources]:
                sources.append((line.from_location, self._router.location_node(line.from_location)[2]))
        to = doc.lines[0].to_location
        assert to is not None  # transfers always have a destination
        return sources, (to, self._router.location_node(to)[2])

    def _candidates(self, link: FleetTransfer) -> list[Vehicle]:
        busy = {other.serial for other in self._store.links(ACTIVE)}
        fits = [v for v in self._vehicles.values()
                if v.agv.site == link.site and v.agv.serial not in busy and v.can_take_order(self._config.min_battery)]
        if link.picked:  # the goods are on that vehicle: only it can finish the job
            fits = [v for v in fits if v.agv.serial == link.serial]
        return fits

    def _plan(self, link: FleetTransfer, vehicle: Vehicle) -> tuple[Route, list[str]] | None:
        sources = [] if link.picked else list(link.sources)
        nodes = [self._router.location_node(loc)[2] for loc in sources]
        dest = self._router.location_node(link.destination)[2]
        assert vehicle.last_node is not None
        try:
            return self._router.route_via(link.site, [vehicle.last_node, *nodes, dest]), sources
        except RoutingError:
            return None

    async def _assign(self, link: FleetTransfer, doc: Document) -> AgvOrderView:
        """Choose the nearest available AGV (route length to the first stop, then battery) and send the order."""
        plans = [(v, p) for v in self._candidates(link) if (p := self._plan(link, v)) is not None]
        if not plans:
            # Still no vehicle: the reason it waits (and the vehicle's error behind it) stays what it was.
            await self._to_waiting(link, WaitReason(link.reason) if link.reason else WaitReason.no_agv, doc=doc,
                                   detail=link.detail)
            return link.view()

        def first_leg(item: tuple[Vehicle, tuple[Route, list[str]]]) -> tuple[float, float, str]:
            vehicle, (route, _) = item
            first = route.waypoints[route.stops[1]] if len(route.stops) > 1 else route.waypoints[-1]
            leg = self._router.distance(link.site, route.waypoints[0].node, first.node)
            return leg, -(vehicle.battery or 0.0), vehicle.agv.serial

        vehicle, (route, sources) = min(plans, key=first_leg)
        agv = vehicle.agv
        link.attempt += 1
        order_id = f"{link.doc_id}-{link.attempt}"
        picks = [(route.stops[1 + n], loc) for n, loc in enumerate(sources)]
        drop = (len(route.waypoints) - 1, link.destination)
        released_to = picks[-1][0] if picks else None  # horizon after the last pick: released on pick
        order = messages.build_order(agv.manufacturer, agv.serial, order_id=order_id, order_update_id=0,
                                     route=route, doc_id=link.doc_id, picks=picks, drop=drop, released_to=released_to)
        validate(Topic.order, order)
        link.status, link.serial, link.manufacturer = str(LinkStatus.assigned), agv.serial, agv.manufacturer
        if link.picked:
            link.status = str(LinkStatus.picked)
        link.order_id, link.order_update_id = order_id, 0
        link.plan = {"route": route.model_dump(mode="json"), "picks": picks, "drop": list(drop)}
        link.route_m, link.reason, link.detail = route.length_m, None, None
        rows = await self._save(link, [outbox_order(link.doc_id, order)], supersede=True)
        await self._flush(rows)
        log.info("fleet.order_sent", document=link.doc_id, order=order_id, serial=agv.serial, metres=route.length_m)
        return link.view()

    async def _dispatch_waiting(self) -> None:
        for link in await asyncio.to_thread(self._store.links, [LinkStatus.waiting]):
            # One a follower handed over (no reason yet) is looked at even with no vehicle free: it gets its
            # reason, and its requester and supervisors hear that it waits.
            if link.reason is not None and not self._candidates(link):
                continue
            try:
                doc = await asyncio.to_thread(self._ledger.document, link.doc_id)
            except Exception:
                log.exception("fleet.waiting_document_unreadable", document=link.doc_id)
                continue
            if doc.status in (DocStatus.confirmed, DocStatus.in_progress):
                await self._assign(link, doc)

    async def _handed_over(self, doc_id: str) -> AgvOrderView:
        """The dispatcher's answer for a transfer a follower handed over, if it comes within `handover_s`."""
        deadline = asyncio.get_running_loop().time() + self._config.handover_s
        while True:
            link = await asyncio.to_thread(self._store.link, doc_id)
            assert link is not None  # stored by the caller; links are never deleted (only by a demo reset)
            if link.reason is not None or link.status != LinkStatus.waiting:
                return link.view()
            if asyncio.get_running_loop().time() >= deadline:
                log.info("fleet.handover_unanswered", document=doc_id)
                return link.view()
            await asyncio.sleep(0.05)

    async def _to_waiting(self, link: FleetTransfer, reason: WaitReason, *, doc: Document | None = None,
                          detail: str | None = None) -> None:
        """Back to waiting; nothing is lost (reservation kept, or goods still booked in progress)."""
        was = (link.status, link.reason)
        serial = link.serial
        outbox: list[OutboxMessage] = []
        if LinkStatus(link.status) in ACTIVE and serial and link.manufacturer:
            # Stop the vehicle; kept in the outbox so an offline vehicle gets it when it is back.
            outbox.append(outbox_action(link.doc_id, messages.cancel_order(link.manufacturer, serial)))
            self._vehicle(link.manufacturer, serial).cancelled_orders.add(link.order_id or "")
        # The reason and the data are stored, never the words: each reader gets them in their own language.
        link.status, link.reason, link.detail = str(LinkStatus.waiting), str(reason), detail or None
        rows = await self._save(link, outbox, supersede=True)
        await self._flush(rows)
        if was == (link.status, link.reason):
            return  # already said
        if doc is None:
            doc = await asyncio.to_thread(self._ledger.document, link.doc_id)
        supervisors = tuple(w.code for w in self._world.workers if w.site == link.site and w.role is Role.supervisor)
        log.info("fleet.transfer_waiting", document=link.doc_id, reason=str(reason), serial=serial)
        await self._emit(TransferWaiting(
            serial=serial, doc_id=link.doc_id, reason=reason, picked=link.picked, detail=link.detail,
            site=link.site, worker=doc.worker, device=doc.device, supervisors=supervisors))

    # --- incoming messages -----------------------------------------------------------------------------

    async def _on_message(self, topic_str: str, payload: bytes, retained: bool) -> None:
        address = parse_topic(self._config.base_topic, topic_str)
        if address is None:
            return
        try:
            message = parse(address.topic, payload)
        except InvalidMessage as exc:
            self.invalid_messages += 1
            log.warning("fleet.invalid_message", topic=topic_str, problems=exc.problems)
            return
        if (message["manufacturer"], message["serialNumber"]) != (address.manufacturer, address.serial):
            self.invalid_messages += 1
            log.warning("fleet.identity_mismatch", topic=topic_str)
            return
        vehicle = self._vehicles.get((address.manufacturer, address.serial))
        if vehicle is None:
            log.debug("fleet.unknown_vehicle", topic=topic_str)
            return
        if address.topic is Topic.visualization:  # position only: nothing to decide, no lock
            if "agvPosition" in message:
                vehicle.position = (message["agvPosition"]["x"], message["agvPosition"]["y"])
            return
        if self._coord.leading:
            try:
                async with self._section() as leading:
                    if leading:
                        if address.topic is Topic.connection:
                            await self._on_connection(vehicle, message["connectionState"])
                        else:
                            await self._on_state(vehicle, message)
                        return
            except Exception:  # the database is away: the views stay current all the same
                log.exception("fleet.message_not_handled", topic=str(address.topic), serial=address.serial)
        async with self._lock:
            self._observe(vehicle, address.topic, message)

    def _observe(self, vehicle: Vehicle, topic: Topic, message: dict[str, Any]) -> None:
        """A follower keeps the vehicle's view current; what it means for a transfer is the dispatcher's to say."""
        if topic is Topic.connection:
            vehicle.connection = message["connectionState"]
            if not vehicle.online:
                vehicle.state = None  # stale until it reports again
        elif topic is Topic.state:
            vehicle.state = message
            if "agvPosition" in message:
                vehicle.position = (message["agvPosition"]["x"], message["agvPosition"]["y"])

    async def _on_connection(self, vehicle: Vehicle, connection: str) -> None:
        before, vehicle.connection = vehicle.connection, connection
        if connection == before:
            return
        log.info("fleet.vehicle_connection", serial=vehicle.agv.serial, connection=connection)
        if connection == "ONLINE":
            await self._dispatch_waiting()
            return
        vehicle.state = None  # stale until it reports again
        link = await asyncio.to_thread(self._store.active_link_for, vehicle.agv.serial)
        await self._emit(AgvOffline(serial=vehicle.agv.serial, doc_id=link.doc_id if link else None,
                                    connection=connection))
        if link is not None:
            await self._to_waiting(link, WaitReason.agv_offline)

    async def _on_state(self, vehicle: Vehicle, state: dict[str, Any]) -> None:
        previous, vehicle.state = vehicle.state, state
        if "agvPosition" in state:
            vehicle.position = (state["agvPosition"]["x"], state["agvPosition"]["y"])
        serial = vehicle.agv.serial
        statuses = vehicle.action_status()
        await asyncio.to_thread(self._store.ack, serial, state["orderId"], state["orderUpdateId"], statuses)
        link = await asyncio.to_thread(self._store.active_link_for, serial)
        errors_now = describe_errors(vehicle.errors)
        if errors_now and errors_now != describe_errors((previous or {}).get("errors", [])):
            await self._emit(AgvError(serial=serial, doc_id=link.doc_id if link else None, errors=errors_now,
                                      fatal=vehicle.fatal))
        if link is not None and link.order_id == state["orderId"]:
            if vehicle.fatal:
                await self._to_waiting(link, WaitReason.agv_error, detail="; ".join(errors_now))
            else:
                await self._progress(link, vehicle, previous, statuses)
        elif state["orderId"] and vehicle.executing and state["orderId"] not in vehicle.cancelled_orders:
            # A vehicle still running an order we no longer stand behind (e.g. back after going offline).
            vehicle.cancelled_orders.add(state["orderId"])
            agv = vehicle.agv
            # A cancel stored elsewhere (a follower's cancel, the previous dispatcher's) is on its way or known
            # to the vehicle already: one is enough.
            if not await asyncio.to_thread(self._store.cancel_under_way, serial, statuses):
                await self._flush(await self._save_outbox(
                    outbox_action(None, messages.cancel_order(agv.manufacturer, agv.serial))))
        if vehicle.can_take_order(self._config.min_battery):
            await self._dispatch_waiting()

    async def _progress(self, link: FleetTransfer, vehicle: Vehicle, previous: dict[str, Any] | None,
                        statuses: dict[str, str]) -> None:
        assert link.order_id and link.plan is not None
        state = vehicle.state or {}
        picks = [(int(i), str(loc)) for i, loc in link.plan["picks"]]
        drop_index, destination = int(link.plan["drop"][0]), str(link.plan["drop"][1])
        moved = previous is None or (previous.get("lastNodeSequenceId"), previous.get("orderId")) != (
            state["lastNodeSequenceId"], state["orderId"])
        if moved:
            seq = state["lastNodeSequenceId"]
            here = [(loc, "pick") for i, loc in picks if 2 * i == seq] + \
                   ([(destination, "drop")] if 2 * drop_index == seq else [])
            for location, purpose in here:
                await self._emit(AgvArrived(serial=link.serial, doc_id=link.doc_id, node=state["lastNodeId"],
                                            location=location, purpose="pick" if purpose == "pick" else "drop"))
        pick_ids = [messages.pick_action_id(link.order_id, n) for n in range(len(picks))]
        drop_id = messages.drop_action_id(link.order_id)
        if any(statuses.get(a) == "FAILED" for a in [*pick_ids, drop_id]):
            await self._to_waiting(link, WaitReason.agv_error, detail="action failed")
            return
        if not link.picked and pick_ids and all(statuses.get(a) == "FINISHED" for a in pick_ids):
            await self._picked(link, picks)
        if link.picked and statuses.get(drop_id) == "FINISHED":
            await self._dropped(link, destination)

    async def _picked(self, link: FleetTransfer, picks: list[tuple[int, str]]) -> None:
        assert link.order_id and link.plan is not None and link.serial and link.manufacturer
        try:
            await asyncio.to_thread(self._ledger.start_transfer, link.doc_id, link.turn_id)
        except InvalidState as exc:
            log.warning("fleet.start_refused", document=link.doc_id, error=str(exc))
        link.picked, link.status = True, str(LinkStatus.picked)
        # Release the horizon: an order update that stitches onto the last pick node (VDA 5050 §6.6.1).
        route = Route.model_validate(link.plan["route"])
        link.order_update_id += 1
        update = messages.build_order(link.manufacturer, link.serial, order_id=link.order_id,
                                      order_update_id=link.order_update_id, route=route, doc_id=link.doc_id,
                                      picks=[], drop=(int(link.plan["drop"][0]), str(link.plan["drop"][1])),
                                      first=picks[-1][0])
        validate(Topic.order, update)
        await self._flush(await self._save(link, [outbox_order(link.doc_id, update)]))
        log.info("fleet.picked", document=link.doc_id, serial=link.serial)
        await self._emit(AgvPicked(serial=link.serial, doc_id=link.doc_id))

    async def _dropped(self, link: FleetTransfer, destination: str) -> None:
        try:
            await asyncio.to_thread(self._ledger.complete_transfer, link.doc_id, link.turn_id)
            link.status = str(LinkStatus.done)
        except InvalidState as exc:  # cancelled in the ledger behind our back: say so, move nothing
            log.warning("fleet.complete_refused", document=link.doc_id, error=str(exc))
            link.status = str(LinkStatus.cancelled)
        await self._save(link, [], supersede=True)
        log.info("fleet.dropped", document=link.doc_id, serial=link.serial, status=link.status)
        if link.status == LinkStatus.done:
            await self._emit(AgvDropped(serial=link.serial, doc_id=link.doc_id, destination=destination))

    # --- outbox ----------------------------------------------------------------------------------------

    async def _save(self, link: FleetTransfer, outbox: list[OutboxMessage],
                    supersede: bool = False) -> list[OutboxMessage]:
        return await asyncio.to_thread(self._store.save, link, outbox, supersede=supersede)

    async def _save_outbox(self, row: OutboxMessage) -> list[OutboxMessage]:
        def write() -> list[OutboxMessage]:
            return self._store.save_outbox([row])
        return await asyncio.to_thread(write)

    async def _flush(self, rows: list[OutboxMessage]) -> None:
        """Publish stored messages (fresh header each time); unsent ones wait for the next connect. Only the
        dispatcher publishes (a follower's rows wait for it), and it stops the moment it loses the lead."""
        if self._link is None or not self._coord.leading:
            return
        sent: list[int] = []
        for row in rows:
            topic = Topic(row.topic)
            message = self._headers.stamp(row.payload, topic)
            validate(topic, message)
            name = topic_name(self._config.base_topic, row.manufacturer, row.serial, topic)
            if await self._link.publish(name, message, qos=0):
                sent.append(row.id)
        await asyncio.to_thread(self._store.mark_published, sent)

    async def _on_connect(self) -> None:
        if not self._coord.leading:
            return
        async with self._section() as leading:
            if leading:
                pending = await asyncio.to_thread(self._store.pending)
                log.info("fleet.outbox_resend", pending=len(pending))
                await self._flush(pending)

    async def _resend_loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.resend_s)
            if self._link is None or not self._link.connected.is_set() or not self._coord.leading:
                continue
            try:
                # Inside the write lock: a deposed dispatcher must never resend a row its successor dropped.
                async with self._section() as leading:
                    if not leading:
                        continue
                    await self._sweep_handed_over()  # a wake that never came costs one resend period
                    pending = await asyncio.to_thread(self._store.pending)
                    online = {v.agv.serial for v in self._vehicles.values() if v.online}
                    await self._flush([row for row in pending if row.serial in online])
            except Exception:
                log.exception("fleet.resend_failed")

    # --- leadership ------------------------------------------------------------------------------------

    async def _on_elected(self) -> None:
        """Take over from the database: what the vehicles hold is seen in their next state (not retained in
        VDA 5050, sent on every change and at least every 30 s); what this process saw as a follower is current."""
        async with self._section() as leading:
            if not leading:
                return
            log.info("fleet.dispatching")
            for link in await asyncio.to_thread(self._store.links, ACTIVE):
                vehicle = self._vehicles.get((link.manufacturer or "", link.serial or ""))
                if vehicle is not None and vehicle.connection is not None and not vehicle.online:
                    await self._to_waiting(link, WaitReason.agv_offline)  # went away while no one dispatched
            await self._dispatch_waiting()
            # Rows the previous dispatcher stored but may not have sent. Resending is safe: a vehicle ignores
            # an orderId/orderUpdateId it holds and an instant action id it knows.
            await self._flush(await asyncio.to_thread(self._store.pending))

    async def _on_deposed(self) -> None:
        log.warning("fleet.not_dispatching")  # already stopped (the coordinator dropped the flag first)

    async def _on_wake(self) -> None:
        async with self._section() as leading:
            if not leading:
                return
            await self._sweep_handed_over()
            unsent = [row for row in await asyncio.to_thread(self._store.pending) if row.published_at is None]
            await self._flush(unsent)

    async def _sweep_handed_over(self) -> None:
        waiting = await asyncio.to_thread(self._store.links, [LinkStatus.waiting])
        if any(link.reason is None for link in waiting):
            await self._dispatch_waiting()

    async def _on_remote(self, event_json: str) -> None:
        if self._on_remote_event is None:
            return
        try:
            event = _EVENTS.validate_json(event_json)
        except ValidationError:
            log.warning("fleet.remote_event_invalid")
            return
        try:
            await self._on_remote_event(event)
        except Exception:
            log.exception("fleet.event_listener_failed", kind=event.kind)

    # --- helpers ---------------------------------------------------------------------------------------

    def _vehicle(self, manufacturer: str, serial: str) -> Vehicle:
        return self._vehicles[(manufacturer, serial)]

    async def _emit(self, event: FleetEvent) -> None:
        log.info("fleet.event", kind=event.kind, serial=event.serial, document=event.doc_id)
        await self._coord.broadcast(_EVENTS.dump_json(event).decode())  # the other processes' sockets
        if self._on_event is None:
            return
        try:
            await self._on_event(event)
        except Exception:  # a failing listener (headset push) must not stop the fleet
            log.exception("fleet.event_listener_failed", kind=event.kind)

    def _agv_view(self, vehicle: Vehicle, link: FleetTransfer | None) -> AgvView:
        state = vehicle.state or {}
        battery = state.get("batteryState", {})
        x, y = vehicle.position if vehicle.position else (None, None)
        return AgvView(
            serial=vehicle.agv.serial, manufacturer=vehicle.agv.manufacturer, site=vehicle.agv.site,
            connection=vehicle.connection, online=vehicle.online, operating_mode=state.get("operatingMode"),
            driving=bool(state.get("driving", False)), last_node=vehicle.last_node, x=x, y=y,
            battery=battery.get("batteryCharge"), charging=bool(battery.get("charging", False)),
            errors=describe_errors(vehicle.errors), order_id=state.get("orderId") or None,
            doc_id=link.doc_id if link else None,
            available=link is None and vehicle.can_take_order(self._config.min_battery))


def new_client_id(prefix: str = "frontline") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
