"""The route after a confirmed transfer, for the device that asked: card, words to speak, waypoints, map."""

from __future__ import annotations

import base64

from assistant.dialogue.directions import card, spoken
from assistant.routing import Guidance
from server.schemas.turns import CardOut, GuidanceOut, WaypointOut


def guidance_out(guidance: Guidance, lang: str, device_kind: str) -> GuidanceOut:
    shown = card(guidance, lang)
    return GuidanceOut(
        card=CardOut(title=shown.title, lines=list(shown.lines)),
        tts=spoken(guidance, lang),
        destination=guidance.destination, distance_m=round(guidance.distance_m, 1), eta_s=round(guidance.eta_s),
        waypoints=[WaypointOut(node=w.node, x=w.x, y=w.y) for w in guidance.route.waypoints],
        svg=guidance.svg,
        png_base64=base64.b64encode(guidance.png).decode() if device_kind in ("tablet", "chat") else None,
    )
