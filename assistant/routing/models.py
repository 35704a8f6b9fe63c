"""What the router returns: plain frozen values, JSON-serialisable for the headset."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from assistant.world.schema import Location

WALKING_SPEED_M_S = 1.2


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class Waypoint(_Value):
    node: str
    x: float
    y: float


class Route(_Value):
    site_map: str
    waypoints: tuple[Waypoint, ...]  # from the start node to the goal, both included
    length_m: float
    stops: tuple[int, ...] = ()  # index in `waypoints` of each stop asked for (route_via), start included

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(w.node for w in self.waypoints)

    def eta_s(self, speed_m_s: float = WALKING_SPEED_M_S) -> float:
        return self.length_m / speed_m_s


class AgvMarker(_Value):
    serial: str
    x: float
    y: float


class Guidance(_Value):
    """Where the wearer walks, as data: the words (spoken text, card) are rendered by whoever shows it, in the
    reader's language."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64")  # the PNG travels as base64 in JSON

    site: str
    destination: str  # location code
    location: Location  # the destination, with its names
    passing: Location | None  # the first named place on the way, something a person can look for
    arrived: bool  # the wearer is already there (a route of length 0)
    route: Route
    distance_m: float
    eta_s: float  # on foot, at WALKING_SPEED_M_S
    svg: str
    png: bytes  # the same map as `svg`, 854×480
