"""Codes a device scanned recently: a scanned item or location fills a slot of the next command
("这个调拨5件到总装线A区" after scanning a part label). Kept in the device state, so the next turn finds them
whichever app process takes it."""

from __future__ import annotations

from pydantic import JsonValue

from assistant.pipeline.errors import state_errors
from assistant.state import DeviceState

Scan = dict[str, JsonValue]  # {"kind": "item" | "location", "code", "lot", "expiry"}, as the actions read it
SCAN_TTL_S = 300.0  # a scan older than five minutes is not what "这个" means any more
_SCANS, _LOCATION = "scans", "location"


class RecentScans:
    def __init__(self, state: DeviceState, ttl_s: float = SCAN_TTL_S) -> None:
        self._state, self.ttl_s = state, ttl_s

    async def remember(self, device: str, scans: list[Scan]) -> None:
        """Scans for the device's next turn (a label photographed on its own)."""
        if scans:
            stored: list[JsonValue] = [*scans]
            with state_errors():
                await self._state.put(device, _SCANS, stored, ttl_s=self.ttl_s)
        await self.note_position(device, scans)

    async def note_position(self, device: str, scans: list[Scan]) -> None:
        for scan in scans:
            if scan.get("kind") == "location" and scan.get("code"):
                with state_errors():
                    await self._state.put(device, _LOCATION, str(scan["code"]))

    async def last_location(self, device: str) -> str | None:
        """Where the worker was last seen: the last shelf or dock label the device scanned."""
        with state_errors():
            code = await self._state.get(device, _LOCATION)
        return code if isinstance(code, str) else None

    async def take(self, device: str) -> list[Scan]:
        """The device's recent scans, handed to one turn only."""
        with state_errors():
            stamped = await self._state.pop(device, _SCANS)
        return [scan for scan in stamped if isinstance(scan, dict)] if isinstance(stamped, list) else []
