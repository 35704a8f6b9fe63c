"""Guidance for an AR headset: a small card, the spoken text (Mandarin first, English second) and a map."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.routing.models import WALKING_SPEED_M_S, AgvMarker, Card, Guidance, Route
from assistant.routing.render import Scene, render_png, render_svg
from assistant.world.schema import Location, Site, SiteMap


def _eta_zh(seconds: float) -> str:
    return f"{round(seconds)}秒" if seconds < 60 else f"{round(seconds / 60)}分钟"


def _eta_en(seconds: float) -> str:
    return f"{round(seconds)} s" if seconds < 60 else f"{round(seconds / 60)} min"


def _english(location: Location) -> str:
    """Locations carry no English name; the first ASCII alias with a space reads best ("assembly line B")."""
    return next((a for a in location.aliases if a.isascii() and " " in a), location.code)


def _names(site: Site) -> dict[str, Location]:
    return {loc.node: loc for loc in site.locations if loc.node}


def build_guidance(
    site: Site, site_map: SiteMap, location: Location, route: Route, agvs: Sequence[AgvMarker],
) -> Guidance:
    metres = round(route.length_m)
    eta = route.eta_s(WALKING_SPEED_M_S)
    by_node = _names(site)
    # The first named place after the start is what a person can look for ("go to rack B-02 first").
    nxt = next((by_node[n] for n in route.nodes[1:-1] if n in by_node), None)
    tts_zh = f"请前往{location.name}，距离约{metres}米，步行约{_eta_zh(eta)}。"
    tts_en = f"Walk to {_english(location)}, about {metres} metres, {_eta_en(eta)} on foot."
    if route.length_m == 0:
        tts_zh, tts_en = f"您已在{location.name}。", f"You are at {location.code}."
    elif nxt is not None:
        tts_zh += f"先经过{nxt.name}。"
        tts_en += f" Pass {nxt.code} first."
    card = Card(title=f"→ {location.name}", lines=(f"{metres} 米 · 约 {_eta_zh(eta)}",
                                                    f"{metres} m · ~{_eta_en(eta)} · {location.code}"))
    scene = Scene.build(site, site_map, route, agvs)
    return Guidance(site=site.code, destination=location.code, destination_name=location.name, card=card,
                    tts_zh=tts_zh, tts_en=tts_en, route=route, distance_m=route.length_m,
                    eta_s=round(eta, 1), svg=render_svg(scene), png=render_png(scene))
