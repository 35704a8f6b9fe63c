"""Orders and instant actions against the official VDA 5050 2.1.0 schemas (tests/fixtures/vda5050)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from assistant.fleet import messages
from assistant.fleet.broker import BrokerAddress
from assistant.fleet.sim import SimVehicle
from assistant.fleet.validation import SCHEMA_DIR, InvalidMessage, Topic, parse, problems
from assistant.routing import Router
from assistant.world.loader import load_world

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vda5050"
TOPICS = ["order", "instantActions", "state", "connection", "visualization"]


def official(topic: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((FIXTURES / f"{topic}.schema").read_text(encoding="utf-8")))


def assert_official(topic: str, message: dict[str, Any]) -> None:
    errors = [e.message for e in official(topic).iter_errors(message)]
    assert not errors, errors


@pytest.mark.parametrize("topic", TOPICS)
def test_runtime_schemas_are_the_official_copies(topic: str) -> None:
    assert (SCHEMA_DIR / f"{topic}.schema").read_bytes() == (FIXTURES / f"{topic}.schema").read_bytes()


def _order(update: int = 0, first: int = 0, released_to: int | None = None) -> dict[str, Any]:
    route = Router(load_world()).route_via("DG", ["C1", "A01", "LB"])
    picks = [(route.stops[1], "A-01")] if first == 0 else []
    return messages.build_order("Acme", "AGV-01", order_id="TR-000001-1", order_update_id=update, route=route,
                                doc_id="TR-000001", picks=picks, drop=(len(route.waypoints) - 1, "LINE-B"),
                                first=first, released_to=released_to)


def test_order_has_even_nodes_odd_edges_pick_at_source_and_drop_at_destination() -> None:
    order = _order(released_to=2)
    assert_official("order", order)
    assert [n["nodeId"] for n in order["nodes"]] == ["C1", "J1", "A01", "A02", "A03", "A04", "J3", "LB"]
    assert [n["sequenceId"] for n in order["nodes"]] == [0, 2, 4, 6, 8, 10, 12, 14]
    assert [e["sequenceId"] for e in order["edges"]] == [1, 3, 5, 7, 9, 11, 13]
    assert all(n["nodePosition"]["mapId"] == "DG-MAP" for n in order["nodes"])
    assert order["nodes"][2]["nodePosition"] == {"x": 10.0, "y": 0.0, "mapId": "DG-MAP"}
    actions = {n["nodeId"]: [a["actionType"] for a in n["actions"]] for n in order["nodes"] if n["actions"]}
    assert actions == {"A01": ["pick"], "LB": ["drop"]}
    # base up to the pick, the rest is horizon until the update
    assert [n["released"] for n in order["nodes"]] == [True, True, True, False, False, False, False, False]
    assert [e["released"] for e in order["edges"]][:3] == [True, True, False]
    assert order["edges"][0] | {"actions": []} == {"edgeId": "C1-J1", "sequenceId": 1, "released": True,
                                                   "startNodeId": "C1", "endNodeId": "J1", "actions": []}


def test_order_update_stitches_onto_the_pick_node() -> None:
    update = _order(update=1, first=2)
    assert_official("order", update)
    assert update["orderUpdateId"] == 1
    assert (update["nodes"][0]["nodeId"], update["nodes"][0]["sequenceId"]) == ("A01", 4)
    assert update["nodes"][0]["actions"] == [] and all(n["released"] for n in update["nodes"])


def test_instant_actions_and_headers_are_valid() -> None:
    headers = messages.Headers()
    cancel = headers.stamp(messages.cancel_order("Acme", "AGV-01"), Topic.instant_actions)
    again = headers.stamp(messages.cancel_order("Acme", "AGV-01"), Topic.instant_actions)
    assert_official("instantActions", cancel)
    assert cancel["actions"][0]["actionType"] == "cancelOrder" and again["headerId"] == cancel["headerId"] + 1
    assert_official("instantActions", messages.inject_error("Acme", "AGV-01"))
    assert cancel["timestamp"].endswith("Z") and cancel["version"] == "2.1.0"


def test_simulator_reports_are_valid() -> None:
    world = load_world()
    sim = SimVehicle(world.agvs[0], world.maps[0], BrokerAddress("127.0.0.1", 1), base="uagv/v2")
    sim.inject_error()
    assert_official("state", sim.state())
    assert_official("visualization", sim.visualization())


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"headerId": "x"}', b"\xff\xfe"])
def test_parse_rejects_malformed_and_schema_invalid_payloads(payload: bytes) -> None:
    with pytest.raises(InvalidMessage):
        parse(Topic.state, payload)


def test_problems_name_the_field() -> None:
    order = _order()
    order["nodes"][0]["sequenceId"] = -1
    assert any("nodes/0/sequenceId" in p for p in problems(Topic.order, order))
