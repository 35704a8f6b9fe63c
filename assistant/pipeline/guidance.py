"""The guidance stage: after a transfer is confirmed on a mapped site, show the best route on the device."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from assistant.dialogue.directions import card, spoken
from assistant.fleet import FleetService
from assistant.pipeline.turn import TurnContext, TurnResult
from assistant.routing import AgvMarker, Router, RoutingError
from assistant.world.schema import World


def _start_node(world: World, router: Router, ctx: TurnContext, last_location: str | None,
                transfer: dict[str, Any]) -> str | None:
    """Where the worker is: the location they scanned last, else where the parts are picked up."""
    for code in (last_location, transfer["lines"][0].get("from")):
        if code:
            try:
                site, _location, node = router.location_node(code)
            except RoutingError:
                continue
            if site.code == ctx.site:
                return node
    return None


def guidance_for(world: World, router: Router, fleet: FleetService, ctx: TurnContext, turn: TurnResult,
                 last_location: str | None) -> dict[str, Any] | None:
    transfer = next((d for d in turn.documents if d["type"] == "transfer" and d["status"] == "confirmed"), None)
    if transfer is None or ctx.device_kind not in ("ar_headset", "tablet"):
        return None
    start = _start_node(world, router, ctx, last_location, transfer)
    if start is None:
        return None
    agvs = [AgvMarker(serial=a.serial, x=a.x, y=a.y) for a in fleet.agvs()
            if a.site == ctx.site and a.x is not None and a.y is not None]
    try:
        guidance = router.guidance(ctx.site, start, transfer["lines"][0]["to"], agvs=agvs)
    except RoutingError:
        return None
    lang = turn.reply.language  # the words in the language of the reply they come with
    shown: dict[str, Any] = {
        "card": asdict(card(guidance, lang)), "tts": spoken(guidance, lang),
        "destination": guidance.destination, "distance_m": round(guidance.distance_m, 1),
        "eta_s": round(guidance.eta_s), "waypoints": [w.model_dump() for w in guidance.route.waypoints],
        "svg": guidance.svg,
    }
    if ctx.device_kind == "tablet":
        shown["png_base64"] = base64.b64encode(guidance.png).decode()
    return shown
