"""The guidance stage: after a transfer is confirmed on a mapped site, the best route for the device to show."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.fleet import FleetService
from assistant.ledger.states import DocStatus, DocType
from assistant.ledger.views import Document
from assistant.pipeline.results import TurnContext
from assistant.routing import AgvMarker, Guidance, Router, RoutingError

GUIDED_DEVICES = ("ar_headset", "tablet")


def _start_node(router: Router, ctx: TurnContext, last_location: str | None, transfer: Document) -> str | None:
    """Where the worker is: the location they scanned last, else where the parts are picked up."""
    for code in (last_location, transfer.lines[0].from_location):
        if code:
            try:
                site, _location, node = router.location_node(code)
            except RoutingError:
                continue
            if site.code == ctx.site:
                return node
    return None


def guidance_for(router: Router, fleet: FleetService, ctx: TurnContext, documents: Sequence[Document],
                 last_location: str | None) -> Guidance | None:
    transfer = next((d for d in documents if d.type is DocType.transfer and d.status is DocStatus.confirmed), None)
    if transfer is None or ctx.device_kind not in GUIDED_DEVICES:
        return None
    start = _start_node(router, ctx, last_location, transfer)
    destination = transfer.lines[0].to_location
    if start is None or destination is None:
        return None
    agvs = [AgvMarker(serial=a.serial, x=a.x, y=a.y) for a in fleet.agvs()
            if a.site == ctx.site and a.x is not None and a.y is not None]
    try:
        return router.guidance(ctx.site, start, destination, agvs=agvs)
    except RoutingError:
        return None
