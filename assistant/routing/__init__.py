"""Shortest paths on the site map (networkx) for AGV orders and walking guidance for the headset."""

from assistant.routing.errors import LocationNotOnMap, NoSiteMap, RoutingError, UnknownNode, Unreachable
from assistant.routing.models import WALKING_SPEED_M_S, AgvMarker, Guidance, Route, Waypoint
from assistant.routing.router import Router

__all__ = ["WALKING_SPEED_M_S", "AgvMarker", "Guidance", "LocationNotOnMap", "NoSiteMap", "Route",
           "Router", "RoutingError", "UnknownNode", "Unreachable", "Waypoint"]
