"""A simulated VDA 5050 2.x vehicle: accepts orders and updates, drives released nodes at a set speed, runs
pick/drop (WAITING → RUNNING → FINISHED), obeys cancelOrder, raises errors on command, reports state.

Simplifications: it drives straight lines between nodes, stops at once on cancelOrder or a FATAL error, and
accepts any order whose first node is its last node. Everything runs on one event loop, so no locks."""

from __future__ import annotations

import asyncio
import math
import time
import zlib
from dataclasses import dataclass
from typing import Any

import structlog

from assistant.fleet import messages
from assistant.fleet.broker import BrokerAddress
from assistant.fleet.link import MqttLink
from assistant.fleet.tasks import stop_task
from assistant.fleet.topics import parse_topic, topic_name
from assistant.fleet.validation import InvalidMessage, Topic, parse, validate
from assistant.world.schema import Agv, SiteMap

log = structlog.get_logger(__name__)
FINAL = frozenset({"FINISHED", "FAILED"})


@dataclass(frozen=True)
class SimConfig:
    speed_m_s: float = 1.0
    action_s: float = 2.0  # how long a pick or drop takes (RUNNING)
    state_period_s: float = 1.0  # state at least this often, and on every change
    visualization_period_s: float = 0.5
    tick_s: float = 0.05
    battery: float = 90.0
    drain_per_m: float = 0.01  # percent per metre driven
    error_at: str | None = None  # node: raise a FATAL error on arriving there with an order (demo/tests)


class SimVehicle:
    def __init__(self, agv: Agv, site_map: SiteMap, broker: BrokerAddress, *, base: str,
                 config: SimConfig | None = None, start_node: str | None = None, client_id: str | None = None) -> None:
        self.agv, self._map, self._base = agv, site_map, base
        self.config = config or SimConfig()
        node = start_node or agv.home
        self.last_node, self.last_seq = node, 0
        self.x, self.y = site_map.nodes[node]
        self.theta = 0.0
        self.order_id, self.order_update_id = "", 0
        self.nodes: list[dict[str, Any]] = []  # nodeStates still to reach (VDA 5050: traversed ones are removed)
        self.edges: list[dict[str, Any]] = []
        self.actions: dict[str, dict[str, Any]] = {}  # actionId → action state (order and instant actions)
        self._node_actions: dict[int, list[str]] = {}  # node sequenceId → its action ids, in order
        self._running: tuple[str, float] | None = None  # action id, finishes at (monotonic)
        self.errors: list[dict[str, Any]] = []
        self.loads: list[dict[str, Any]] = []
        self.battery = self.config.battery
        self.driving = False
        self._error_raised = False
        self._dirty = True
        self._headers = messages.Headers()
        self._link = MqttLink(
            # One identity per vehicle and topic base: two simulators of other bases (two test runs, two demo
            # sites) on one broker must not take each other's MQTT session over, and so each other's vehicles off.
            broker, client_id or f"sim-{agv.manufacturer}-{agv.serial}-{zlib.crc32(base.encode()):08x}",
            subscriptions=[(topic_name(base, agv.manufacturer, agv.serial, Topic.order), 0),
                           (topic_name(base, agv.manufacturer, agv.serial, Topic.instant_actions), 0)],
            on_message=self._on_message, on_connect=self._on_connect,
            will=(self._topic(Topic.connection), self._connection("CONNECTIONBROKEN"), 1, True))
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._link.start()
        self._task = asyncio.create_task(self._loop(), name=f"sim:{self.agv.serial}")

    async def stop(self) -> None:
        """Graceful: connection OFFLINE (retained), then a clean disconnect (so no last will)."""
        if self._task is not None:
            await stop_task(self._task)
        await self._send(Topic.connection, self._connection("OFFLINE"), qos=1, retain=True)
        await self._link.stop()

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._link.connected.wait(), timeout)

    # --- commands (also reachable as instant actions) --------------------------------------------------

    def inject_error(self, error_type: str = "driveError", level: str = "FATAL", description: str = "injected") -> None:
        self.errors.append({"errorType": error_type, "errorLevel": level, "errorDescription": description,
                            "errorReferences": [{"referenceKey": "orderId", "referenceValue": self.order_id}]
                            if self.order_id else []})
        if level == "FATAL":
            self.driving = False
        self._dirty = True
        log.info("sim.error", serial=self.agv.serial, error=error_type, level=level)

    def clear_errors(self) -> None:
        self.errors = []
        self._dirty = True

    # --- MQTT ------------------------------------------------------------------------------------------

    def _topic(self, topic: Topic) -> str:
        return topic_name(self._base, self.agv.manufacturer, self.agv.serial, topic)

    def _connection(self, state: str) -> dict[str, Any]:
        message = {**messages.header(self.agv.manufacturer, self.agv.serial), "connectionState": state}
        validate(Topic.connection, message)
        return message

    async def _send(self, topic: Topic, message: dict[str, Any], *, qos: int = 0, retain: bool = False) -> None:
        stamped = self._headers.stamp(message, topic)
        validate(topic, stamped)
        await self._link.publish(self._topic(topic), stamped, qos=qos, retain=retain)

    async def _on_connect(self) -> None:
        await self._send(Topic.connection, self._connection("ONLINE"), qos=1, retain=True)
        await self._send(Topic.state, self.state())

    async def _on_message(self, topic: str, payload: bytes, retained: bool) -> None:
        address = parse_topic(self._base, topic)
        if address is None:
            return
        try:
            message = parse(address.topic, payload)
        except InvalidMessage as exc:
            log.warning("sim.invalid_message", serial=self.agv.serial, problems=exc.problems)
            self._reject("validationError", "; ".join(exc.problems))
            return
        if address.topic is Topic.order:
            self._on_order(message)
        elif address.topic is Topic.instant_actions:
            for action in message["actions"]:
                self._on_instant(action)
        self._dirty = True

    # --- orders (VDA 5050 §6.6.2, simplified) ---------------------------------------------------------

    def _busy(self) -> bool:
        return bool(self.nodes) or any(a["actionStatus"] not in FINAL for a in self.actions.values()
                                       if a["actionId"] in self._order_action_ids())

    def _order_action_ids(self) -> set[str]:
        return {a for ids in self._node_actions.values() for a in ids}

    def _on_order(self, order: dict[str, Any]) -> None:
        nodes, edges = order["nodes"], order["edges"]
        if order["orderId"] == self.order_id:
            if order["orderUpdateId"] <= self.order_update_id:
                return  # same update again (a resend) or an old one: ignored, as the standard says
            first = nodes[0]
            # A valid continuation starts at the last base node: still ahead, or the node we stand on.
            stitch_ok = (first["sequenceId"], first["nodeId"]) == (self.last_seq, self.last_node) or any(
                (n["sequenceId"], n["nodeId"]) == (first["sequenceId"], first["nodeId"]) for n in self.nodes)
            if not stitch_ok:
                self._reject("orderUpdateError", "update does not continue the current base")
                return
            keep = first["sequenceId"]
            self.nodes = [n for n in self.nodes if n["sequenceId"] < keep]
            self.edges = [e for e in self.edges if e["sequenceId"] < keep]
            self._take(nodes, edges, skip_first=True)
            self.order_update_id = order["orderUpdateId"]
            log.info("sim.order_update", serial=self.agv.serial, order=self.order_id, update=self.order_update_id)
            return
        if self._busy():
            self._reject("orderError", f"busy with order {self.order_id}")
            return
        if nodes[0]["nodeId"] != self.last_node:
            self._reject("noRouteError", f"order starts at {nodes[0]['nodeId']}, vehicle is at {self.last_node}")
            return
        self.order_id, self.order_update_id = order["orderId"], order["orderUpdateId"]
        self.errors = [e for e in self.errors if e["errorLevel"] == "FATAL"]  # warnings were about older orders
        self.actions = {k: v for k, v in self.actions.items() if v["actionStatus"] not in FINAL}
        self._node_actions, self.nodes, self.edges = {}, [], []
        self.x, self.y = self._map.nodes[self.last_node]
        self._take(nodes, edges, skip_first=False)
        # Standing on the first node: it is traversed at once, its actions run here.
        first = self.nodes.pop(0)
        self.last_seq = first["sequenceId"]
        log.info("sim.order", serial=self.agv.serial, order=self.order_id, nodes=len(nodes))

    def _take(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, skip_first: bool) -> None:
        for i, node in enumerate(nodes):
            if skip_first and i == 0:
                continue  # the stitching node keeps the instructions of the first order
            self.nodes.append({k: node[k] for k in ("nodeId", "sequenceId", "released", "nodePosition") if k in node})
            ids = []
            for action in node["actions"]:
                self.actions[action["actionId"]] = {"actionId": action["actionId"], "actionType": action["actionType"],
                                                    "actionStatus": "WAITING"}
                ids.append(action["actionId"])
            self._node_actions[node["sequenceId"]] = ids
        self.edges += [{"edgeId": e["edgeId"], "sequenceId": e["sequenceId"], "released": e["released"]}
                       for e in edges]

    def _on_instant(self, action: dict[str, Any]) -> None:
        action_id, kind = action["actionId"], action["actionType"]
        if action_id in self.actions:
            return  # resent: done already
        params = {p["key"]: p["value"] for p in action.get("actionParameters", [])}
        status = "FINISHED"
        if kind == "cancelOrder":
            if not self._busy():
                status = "FAILED"  # no order to cancel (§6.6.3.2)
            else:
                for other in self._order_action_ids():
                    if self.actions.get(other, {}).get("actionStatus") not in FINAL:
                        self.actions[other]["actionStatus"] = "FAILED"
                self.nodes, self.edges, self._running, self.driving = [], [], None, False
                log.info("sim.cancelled", serial=self.agv.serial, order=self.order_id)
        elif kind == "injectError":
            self.inject_error(str(params.get("errorType", "driveError")), str(params.get("errorLevel", "FATAL")),
                              str(params.get("errorDescription", "injected")))
        elif kind == "clearErrors":
            self.clear_errors()
        else:
            status = "FAILED"
        self.actions[action_id] = {"actionId": action_id, "actionType": kind, "actionStatus": status}

    def _reject(self, error_type: str, description: str) -> None:
        log.warning("sim.rejected", serial=self.agv.serial, error=error_type, description=description)
        self.errors.append({"errorType": error_type, "errorLevel": "WARNING", "errorDescription": description})
        self._dirty = True

    # --- motion and actions ----------------------------------------------------------------------------

    def _step(self, dt: float) -> None:
        if any(e["errorLevel"] == "FATAL" for e in self.errors):
            self.driving = False
            return
        now = time.monotonic()
        if self._running is not None:
            action_id, until = self._running
            if now < until:
                return
            self.actions[action_id]["actionStatus"] = "FINISHED"
            self._apply_load(self.actions[action_id]["actionType"])
            self._running, self._dirty = None, True
        waiting = [a for a in self._node_actions.get(self.last_seq, [])
                   if self.actions.get(a, {}).get("actionStatus") == "WAITING"]
        if waiting:
            self.actions[waiting[0]]["actionStatus"] = "RUNNING"
            self._running, self._dirty, self.driving = (waiting[0], now + self.config.action_s), True, False
            return
        if not self.nodes or not self.nodes[0]["released"]:
            if self.driving:
                self.driving, self._dirty = False, True
            return
        target = self.nodes[0]
        tx, ty = self._map.nodes[target["nodeId"]]
        dx, dy = tx - self.x, ty - self.y
        distance = math.hypot(dx, dy)
        step = self.config.speed_m_s * dt
        if not self.driving:
            self.driving, self._dirty = True, True
        if distance > 0:
            self.theta = math.atan2(dy, dx)
        if step < distance:
            self.x, self.y = self.x + dx / distance * step, self.y + dy / distance * step
            self.battery = max(0.0, self.battery - step * self.config.drain_per_m)
            return
        self.x, self.y = tx, ty
        self.battery = max(0.0, self.battery - distance * self.config.drain_per_m)
        self.last_node, self.last_seq = target["nodeId"], target["sequenceId"]
        self.nodes.pop(0)
        self.edges = [e for e in self.edges if e["sequenceId"] > self.last_seq]
        self._dirty = True
        if not self.nodes:
            self.driving = False
        if self.config.error_at == self.last_node and not self._error_raised:
            self._error_raised = True
            self.inject_error("driveError", "FATAL", f"obstacle at {self.last_node}")

    def _apply_load(self, action_type: str) -> None:
        if action_type == "pick":
            self.loads = [{"loadId": self.order_id, "loadType": "tote"}]
        elif action_type == "drop":
            self.loads = []

    async def _loop(self) -> None:
        last_state = last_vis = 0.0
        while True:
            self._step(self.config.tick_s)
            now = time.monotonic()
            if self._link.connected.is_set():
                if self._dirty or now - last_state >= self.config.state_period_s:
                    self._dirty, last_state = False, now
                    await self._send(Topic.state, self.state())
                if now - last_vis >= self.config.visualization_period_s:
                    last_vis = now
                    await self._send(Topic.visualization, self.visualization())
            await asyncio.sleep(self.config.tick_s)

    # --- reports ---------------------------------------------------------------------------------------

    def _position(self) -> dict[str, Any]:
        return {"x": round(self.x, 3), "y": round(self.y, 3), "theta": round(self.theta, 4),
                "mapId": self._map.code, "positionInitialized": True}

    def _velocity(self) -> dict[str, float]:
        speed = self.config.speed_m_s if self.driving else 0.0
        return {"vx": round(speed * math.cos(self.theta), 3), "vy": round(speed * math.sin(self.theta), 3),
                "omega": 0.0}

    def state(self) -> dict[str, Any]:
        return {**messages.header(self.agv.manufacturer, self.agv.serial),
                "maps": [{"mapId": self._map.code, "mapVersion": "1", "mapStatus": "ENABLED"}],
                "orderId": self.order_id, "orderUpdateId": self.order_update_id,
                "lastNodeId": self.last_node, "lastNodeSequenceId": self.last_seq,
                "nodeStates": list(self.nodes), "edgeStates": list(self.edges), "driving": self.driving,
                "actionStates": list(self.actions.values()),
                "batteryState": {"batteryCharge": round(self.battery, 2), "charging": False},
                "operatingMode": "AUTOMATIC", "errors": list(self.errors), "loads": list(self.loads),
                "safetyState": {"eStop": "NONE", "fieldViolation": False},
                "agvPosition": self._position(), "velocity": self._velocity()}

    def visualization(self) -> dict[str, Any]:
        return {**messages.header(self.agv.manufacturer, self.agv.serial), "agvPosition": self._position(),
                "velocity": self._velocity()}
