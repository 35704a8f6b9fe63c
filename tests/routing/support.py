"""Worlds for routing tests and `bench.fleet_latency`: the demo plus an isolated node, and a generated 1 000-node
grid (no real plant has one yet, so it is test data, not part of the installed `assistant` package)."""

from __future__ import annotations

import random

from assistant.world.loader import load_world
from assistant.world.schema import Location, LocationKind, Site, SiteMap, World


def grid_map(side: int = 32, *, seed: int = 7, blocked: float = 0.1, code: str = "BIG-MAP") -> SiteMap:
    """side×side nodes N{x}_{y} at 1 m spacing; each aisle is blocked with probability `blocked`."""
    rng = random.Random(seed)
    nodes = {f"N{x}_{y}": (float(x), float(y)) for x in range(side) for y in range(side)}
    edges = [(f"N{x}_{y}", f"N{x2}_{y2}") for x in range(side) for y in range(side)
             for x2, y2 in ((x + 1, y), (x, y + 1)) if x2 < side and y2 < side and rng.random() > blocked]
    return SiteMap(code=code, nodes=nodes, edges=tuple(edges))


def world_with_island() -> World:
    """The demo world with location ISLAND on node X1, which no aisle reaches."""
    world = load_world()
    dg = world.site("DG")
    island = Location(code="ISLAND", name="孤岛货架", aliases=("island rack",), kind=LocationKind.rack, node="X1")
    site_map = world.maps[0]
    new_map = site_map.model_copy(update={"nodes": {**site_map.nodes, "X1": (40.0, 20.0)}})
    new_site = dg.model_copy(update={"locations": (*dg.locations, island)})
    return world.model_copy(update={"sites": tuple(new_site if s.code == "DG" else s for s in world.sites),
                                    "maps": (new_map,)})


def grid_world(side: int = 32, seed: int = 7) -> World:
    """A side×side grid (1 024 nodes, 1 m spacing, a few aisles blocked) with racks at two corners."""
    demo = load_world()
    site = Site(code="BIG", name="大仓", name_en="big warehouse", map="BIG-MAP", locations=(
        Location(code="R-START", name="起点货架", kind=LocationKind.rack, node="N0_0"),
        Location(code="R-END", name="终点货架", kind=LocationKind.rack, node=f"N{side - 1}_{side - 1}")))
    # A site's own unit (FS's tonne) needs its site: the grid world keeps the units any site uses, and their items.
    units = tuple(u for u in demo.units if u.site is None)
    codes = {u.code for u in units}
    items = tuple(i for i in demo.items if i.unit in codes and (i.price_per is None or i.price_per in codes))
    return World(units=units, sites=(site,), items=items, maps=(grid_map(side, seed=seed),))
