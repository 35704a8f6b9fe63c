"""What the master knows about each vehicle, from its `connection`, `state` and `visualization` messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.world.schema import Agv

BUSY_ACTIONS = frozenset({"WAITING", "INITIALIZING", "RUNNING"})
DRIVABLE_MODES = frozenset({"AUTOMATIC", "SEMIAUTOMATIC"})


@dataclass
class Vehicle:
    agv: Agv
    connection: str | None = None
    state: dict[str, Any] | None = None
    position: tuple[float, float] | None = None
    cancelled_orders: set[str] = field(default_factory=set)  # stale orders we already sent cancelOrder for

    @property
    def online(self) -> bool:
        return self.connection == "ONLINE"

    @property
    def last_node(self) -> str | None:
        return str(self.state["lastNodeId"]) if self.state and self.state.get("lastNodeId") else None

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.state.get("errors", [])) if self.state else []

    @property
    def fatal(self) -> bool:
        return any(e.get("errorLevel") == "FATAL" for e in self.errors)

    @property
    def battery(self) -> float | None:
        return float(self.state["batteryState"]["batteryCharge"]) if self.state else None

    @property
    def executing(self) -> bool:
        """Holding an order: nodes left to drive or actions not yet finished/failed (VDA 5050 §6.6.2 step 3)."""
        if not self.state:
            return False
        return bool(self.state.get("nodeStates")) or any(
            a.get("actionStatus") in BUSY_ACTIONS for a in self.state.get("actionStates", []))

    def can_take_order(self, min_battery: float) -> bool:
        return (self.online and self.state is not None and self.last_node is not None and not self.fatal
                and not self.executing and self.state.get("operatingMode") in DRIVABLE_MODES
                and (self.battery or 0.0) >= min_battery)

    def action_status(self) -> dict[str, str]:
        return {a["actionId"]: a["actionStatus"] for a in (self.state or {}).get("actionStates", [])}


def describe_errors(errors: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(f"{e.get('errorType')} ({e.get('errorLevel')})"
                 + (f": {e['errorDescription']}" if e.get("errorDescription") else "") for e in errors)
