"""A generated warehouse grid for benchmarks and tests (no real plant has 1 000 nodes yet)."""

from __future__ import annotations

import random

from assistant.world.schema import SiteMap


def grid_map(side: int = 32, *, seed: int = 7, blocked: float = 0.1, code: str = "BIG-MAP") -> SiteMap:
    """side×side nodes N{x}_{y} at 1 m spacing; each aisle is blocked with probability `blocked`."""
    rng = random.Random(seed)
    nodes = {f"N{x}_{y}": (float(x), float(y)) for x in range(side) for y in range(side)}
    edges = [(f"N{x}_{y}", f"N{x2}_{y2}") for x in range(side) for y in range(side)
             for x2, y2 in ((x + 1, y), (x, y + 1)) if x2 < side and y2 < side and rng.random() > blocked]
    return SiteMap(code=code, nodes=nodes, edges=tuple(edges))
