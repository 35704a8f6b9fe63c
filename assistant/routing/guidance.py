"""Guidance for an AR headset or a tablet: where to walk, how far, and a map. Data only: the spoken text and
the card are rendered in the reader's language where they are shown (`assistant.dialogue.directions`)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.routing.models import WALKING_SPEED_M_S, AgvMarker, Guidance, Route
from assistant.routing.render import Scene, render_png, render_svg
from assistant.world.schema import Location, Site, SiteMap


def _names(site: Site) -> dict[str, Location]:
    return {loc.node: loc for loc in site.locations if loc.node}


def build_guidance(
    site: Site, site_map: SiteMap, location: Location, route: Route, agvs: Sequence[AgvMarker],
) -> Guidance:
    by_node = _names(site)
    # The first named place after the start is what a person can look for ("go to rack B-02 first").
    passing = next((by_node[n] for n in route.nodes[1:-1] if n in by_node), None)
    scene = Scene.build(site, site_map, route, agvs)
    return Guidance(site=site.code, destination=location.code, location=location, passing=passing,
                    arrived=route.length_m == 0, route=route, distance_m=route.length_m,
                    eta_s=round(route.eta_s(WALKING_SPEED_M_S), 1), svg=render_svg(scene), png=render_png(scene))
