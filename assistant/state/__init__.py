"""Per-device state between turns, kept in this process or shared by every app process (Redis)."""

from assistant.state.base import DeviceBusy, DeviceState, PushBus, StateUnavailable, TurnRate
from assistant.state.build import StateConfig, StateParts, open_state
from assistant.state.memory import MemoryState, MemoryTurnRate

__all__ = ["DeviceBusy", "DeviceState", "MemoryState", "MemoryTurnRate", "PushBus", "StateConfig", "StateParts",
           "StateUnavailable", "TurnRate", "open_state"]
