"""Building VDA 5050 messages: headers, orders (base up to the last pick, horizon to the drop), instant actions."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from assistant.fleet.validation import Topic
from assistant.routing.models import Route

VERSION = "2.1.0"
Message = dict[str, Any]


def timestamp(now: dt.datetime | None = None) -> str:
    """ISO 8601 UTC with milliseconds and Z, as the schema's examples write it."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class Headers:
    """headerId is counted per topic and sender (VDA 5050 §6.5); each send gets a fresh one."""

    def __init__(self) -> None:
        self._counters: defaultdict[tuple[str, str, Topic], itertools.count[int]] = defaultdict(itertools.count)

    def stamp(self, message: Message, topic: Topic) -> Message:
        key = (message["manufacturer"], message["serialNumber"], topic)
        return {**message, "headerId": next(self._counters[key]), "timestamp": timestamp()}


def header(manufacturer: str, serial: str) -> Message:
    # headerId/timestamp are placeholders until `Headers.stamp` at send time.
    return {"headerId": 0, "timestamp": timestamp(), "version": VERSION, "manufacturer": manufacturer,
            "serialNumber": serial}


def _action(action_id: str, action_type: str, params: dict[str, str]) -> Message:
    return {"actionId": action_id, "actionType": action_type, "blockingType": "HARD",
            "actionParameters": [{"key": k, "value": v} for k, v in params.items()]}


def pick_action_id(order_id: str, index: int) -> str:
    return f"{order_id}-pick-{index}"


def drop_action_id(order_id: str) -> str:
    return f"{order_id}-drop"


def build_order(
    manufacturer: str, serial: str, *, order_id: str, order_update_id: int, route: Route, doc_id: str,
    picks: Sequence[tuple[int, str]], drop: tuple[int, str] | None, first: int = 0, released_to: int | None = None,
) -> Message:
    """An order over `route.waypoints[first:]`.

    `picks`/`drop` are (waypoint index, location code). Nodes take sequence ids 2*i and edges 2*i+1 from the
    route index, so an update (first > 0) stitches onto the previous base with the same sequence ids.
    Waypoints past `released_to` form the horizon (released: false) until an update releases them."""
    last = len(route.waypoints) - 1
    released_to = last if released_to is None else released_to
    actions: dict[int, list[Message]] = defaultdict(list)
    for n, (index, location) in enumerate(picks):
        actions[index].append(_action(pick_action_id(order_id, n), "pick", {"document": doc_id, "location": location}))
    if drop is not None:
        actions[drop[0]].append(_action(drop_action_id(order_id), "drop", {"document": doc_id, "location": drop[1]}))
    nodes, edges = [], []
    for i in range(first, last + 1):
        w = route.waypoints[i]
        # The stitching node of an update repeats the previous base node: its actions were sent already.
        node_actions = actions[i] if (i > first or first == 0) else []
        nodes.append({"nodeId": w.node, "sequenceId": 2 * i, "released": i <= released_to,
                      "nodePosition": {"x": w.x, "y": w.y, "mapId": route.site_map}, "actions": node_actions})
        if i < last:
            nxt = route.waypoints[i + 1]
            edges.append({"edgeId": f"{w.node}-{nxt.node}", "sequenceId": 2 * i + 1, "released": i + 1 <= released_to,
                          "startNodeId": w.node, "endNodeId": nxt.node, "actions": []})
    return {**header(manufacturer, serial), "orderId": order_id, "orderUpdateId": order_update_id,
            "nodes": nodes, "edges": edges}


def instant_actions(manufacturer: str, serial: str, actions: Sequence[Message]) -> Message:
    return {**header(manufacturer, serial), "actions": list(actions)}


def cancel_order(manufacturer: str, serial: str) -> Message:
    action = {"actionId": f"cancel-{uuid.uuid4().hex[:12]}", "actionType": "cancelOrder", "blockingType": "HARD"}
    return instant_actions(manufacturer, serial, [action])


def inject_error(manufacturer: str, serial: str, error_type: str = "driveError", level: str = "FATAL",
                 description: str = "injected") -> Message:
    """The simulator's own instant action to raise an error (not part of VDA 5050's predefined set)."""
    return instant_actions(manufacturer, serial, [_action(
        f"inject-{uuid.uuid4().hex[:12]}", "injectError",
        {"errorType": error_type, "errorLevel": level, "errorDescription": description})])
