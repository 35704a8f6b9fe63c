"""Typed routing errors: the caller turns them into a reply; no AGV order is built from a failed route."""

from __future__ import annotations


class RoutingError(Exception):
    """Base class: a route could not be computed."""


class NoSiteMap(RoutingError):
    def __init__(self, site: str) -> None:
        super().__init__(f"site {site} has no map")
        self.site = site


class UnknownNode(RoutingError):
    def __init__(self, site_map: str, node: str) -> None:
        super().__init__(f"node {node} is not on map {site_map}")
        self.site_map, self.node = site_map, node


class LocationNotOnMap(RoutingError):
    def __init__(self, location: str) -> None:
        super().__init__(f"location {location} has no map node")
        self.location = location


class Unreachable(RoutingError):
    def __init__(self, site_map: str, from_node: str, to_node: str) -> None:
        super().__init__(f"no path from {from_node} to {to_node} on map {site_map}")
        self.site_map, self.from_node, self.to_node = site_map, from_node, to_node
