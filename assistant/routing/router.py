"""Shortest paths on a site map: for AGV orders (vehicle → sources → destination) and for walking guidance."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import networkx as nx
import structlog

from assistant.routing.errors import LocationNotOnMap, NoSiteMap, UnknownNode, Unreachable
from assistant.routing.graph import build_graph
from assistant.routing.guidance import build_guidance
from assistant.routing.models import AgvMarker, Guidance, Route, Waypoint
from assistant.world.schema import Location, Site, SiteMap, World

log = structlog.get_logger(__name__)


class Router:
    def __init__(self, world: World) -> None:
        self._world = world
        self._maps = {m.code: m for m in world.maps}
        self._graphs: dict[str, nx.Graph] = {}  # built on first use, not at construction

    # --- lookups ---------------------------------------------------------------------------------------

    def site_map(self, site: str) -> SiteMap:
        code = next((s.map for s in self._world.sites if s.code == site), None)
        if code is None or code not in self._maps:
            raise NoSiteMap(site)
        return self._maps[code]

    def location_node(self, location: str) -> tuple[Site, Location, str]:
        """The site, the location and its map node; `LocationNotOnMap` when it has none."""
        try:
            site, loc = self._world.location(location)
        except KeyError:
            raise LocationNotOnMap(location) from None
        if loc.node is None or loc.node not in self.site_map(site.code).nodes:
            raise LocationNotOnMap(location)
        return site, loc, loc.node

    def graph(self, site: str) -> nx.Graph:
        site_map = self.site_map(site)
        graph = self._graphs.get(site_map.code)
        if graph is None:
            graph = self._graphs[site_map.code] = build_graph(site_map)
        return graph

    # --- routes ----------------------------------------------------------------------------------------

    def route(self, site: str, from_node: str, to_node: str) -> Route:
        """The shortest route; `UnknownNode` or `Unreachable` when there is none."""
        return self.route_via(site, [from_node, to_node])

    def route_via(self, site: str, stops: Sequence[str]) -> Route:
        """The shortest route visiting `stops` in order (e.g. AGV position → source → destination)."""
        site_map, graph = self.site_map(site), self.graph(site)
        for node in stops:
            if node not in site_map.nodes:
                raise UnknownNode(site_map.code, node)
        path: list[str] = [stops[0]]
        indices = [0]
        length = 0.0
        for a, b in itertools.pairwise(stops):
            if a == b:
                indices.append(len(path) - 1)
                continue
            try:
                leg_length, leg = nx.single_source_dijkstra(graph, a, b, weight="weight")
            except nx.NetworkXNoPath:
                raise Unreachable(site_map.code, a, b) from None
            path.extend(leg[1:])
            indices.append(len(path) - 1)
            length += float(leg_length)
        waypoints = tuple(Waypoint(node=n, x=site_map.nodes[n][0], y=site_map.nodes[n][1]) for n in path)
        return Route(site_map=site_map.code, waypoints=waypoints, length_m=round(length, 3),
                     stops=tuple(indices))

    def distance(self, site: str, from_node: str, to_node: str) -> float:
        return self.route(site, from_node, to_node).length_m

    # --- walking guidance ------------------------------------------------------------------------------

    def guidance(
        self, site: str, from_node: str, destination: str, *, agvs: Sequence[AgvMarker] = (),
    ) -> Guidance:
        """Walking guidance from `from_node` (the worker's last scan or home zone) to location `destination`."""
        dest_site, location, node = self.location_node(destination)
        if dest_site.code != site:
            raise LocationNotOnMap(destination)
        route = self.route(site, from_node, node)
        log.info("routing.guidance", site=site, start=from_node, destination=destination, metres=route.length_m)
        return build_guidance(self._world.site(site), self.site_map(site), location, route, agvs)
