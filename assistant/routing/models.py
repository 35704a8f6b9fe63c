"""What the router returns: plain frozen values, JSON-serialisable for the headset."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

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


class Card(_Value):
    """What fits the 854×480 glasses: a title and at most two short lines."""

    title: str
    lines: tuple[str, ...]


class AgvMarker(_Value):
    serial: str
    x: float
    y: float


class Guidance(_Value):
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64")  # the PNG travels as base64 in JSON

    site: str
    destination: str  # location code
    destination_name: str
    card: Card
    tts_zh: str
    tts_en: str
    route: Route
    distance_m: float
    eta_s: float
    svg: str
    png: bytes  # the same map as `svg`, 854×480
