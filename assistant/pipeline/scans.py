"""Codes a device scanned recently: a scanned item or location fills a slot of the next command
("这个调拨5件到总装线A区" after scanning a part label)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pydantic import JsonValue

Scan = dict[str, JsonValue]  # {"kind": "item" | "location", "code", "lot", "expiry"}, as the actions read it
SCAN_TTL_S = 300.0  # a scan older than five minutes is not what "这个" means any more


@dataclass
class RecentScans:
    ttl_s: float = SCAN_TTL_S
    _by_device: dict[str, tuple[float, list[Scan]]] = field(default_factory=dict)

    _last_location: dict[str, str] = field(default_factory=dict)

    def remember(self, device: str, scans: list[Scan]) -> None:
        """Scans for the device's next turn (a label photographed on its own)."""
        if scans:
            self._by_device[device] = (time.monotonic(), scans)
        self.note_position(device, scans)

    def note_position(self, device: str, scans: list[Scan]) -> None:
        for scan in scans:
            if scan.get("kind") == "location" and scan.get("code"):
                self._last_location[device] = str(scan["code"])

    def last_location(self, device: str) -> str | None:
        """Where the worker was last seen: the last shelf or dock label the device scanned."""
        return self._last_location.get(device)

    def take(self, device: str) -> list[Scan]:
        """The device's recent scans, handed to one turn only."""
        stamped = self._by_device.pop(device, None)
        if stamped is None or time.monotonic() - stamped[0] > self.ttl_s:
            return []
        return stamped[1]
