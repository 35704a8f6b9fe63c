"""Shortest routes on the demo map, typed errors, and a 1 000-node map."""

from __future__ import annotations

import math
import time

import pytest

from assistant.routing import LocationNotOnMap, NoSiteMap, Router, UnknownNode, Unreachable
from assistant.world.loader import load_world
from tests.routing.support import grid_world, world_with_island


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_world())


def test_shortest_route_uses_euclidean_edge_lengths(router: Router) -> None:
    route = router.route("DG", "C1", "LB")
    assert route.nodes == ("C1", "J1", "A01", "A02", "A03", "A04", "J3", "LB")
    expected = math.hypot(6, 2) + math.hypot(4, 2) + 12 + math.hypot(4, 4) + math.hypot(8, 2)
    assert route.length_m == pytest.approx(expected, abs=1e-3)
    assert route.waypoints[2].x == 10 and route.waypoints[2].y == 0
    assert route.eta_s() == pytest.approx(expected / 1.2, abs=1e-2)


def test_route_via_stops_records_where_each_stop_is(router: Router) -> None:
    route = router.route_via("DG", ["C2", "A01", "LB"])
    assert route.nodes[route.stops[1]] == "A01" and route.stops[-1] == len(route.waypoints) - 1
    assert router.route_via("DG", ["A01", "A01", "LB"]).stops[:2] == (0, 0)


def test_same_node_is_a_zero_route(router: Router) -> None:
    route = router.route("DG", "QC", "QC")
    assert route.nodes == ("QC",) and route.length_m == 0


def test_typed_errors(router: Router) -> None:
    with pytest.raises(UnknownNode):
        router.route("DG", "C1", "NOPE")
    with pytest.raises(NoSiteMap):
        router.route("FZ", "SHOP", "BACK")
    with pytest.raises(LocationNotOnMap):
        router.location_node("SHOP")
    with pytest.raises(LocationNotOnMap):
        router.location_node("NO-SUCH-PLACE")


def test_unreachable_node_is_a_typed_error() -> None:
    router = Router(world_with_island())
    with pytest.raises(Unreachable) as caught:
        router.route("DG", "C1", "X1")
    assert (caught.value.from_node, caught.value.to_node) == ("C1", "X1")
    with pytest.raises(Unreachable):
        router.guidance("DG", "C1", "ISLAND")


def test_thousand_node_map_is_fast() -> None:
    router = Router(grid_world())
    assert len(router.site_map("BIG").nodes) >= 1000
    router.route("BIG", "N0_0", "N1_1")  # builds the graph once
    started = time.perf_counter()
    route = router.route("BIG", "N0_0", "N31_31")
    elapsed = time.perf_counter() - started
    assert route.nodes[0] == "N0_0" and route.nodes[-1] == "N31_31"
    assert route.length_m >= 62  # Manhattan distance on a unit grid
    assert elapsed < 0.5, elapsed
