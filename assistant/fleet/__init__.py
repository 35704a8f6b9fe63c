"""The AGV fleet link: VDA 5050 2.x master control over MQTT, with an outbox, and a vehicle simulator."""

from assistant.fleet.broker import BrokerAddress, EmbeddedBroker
from assistant.fleet.errors import CancelRefused, FleetError, NotATransfer, NotDispatchable
from assistant.fleet.models import (
    AgvArrived,
    AgvDropped,
    AgvError,
    AgvOffline,
    AgvOrderView,
    AgvPicked,
    AgvView,
    FleetEvent,
    LinkStatus,
    TransferWaiting,
    WaitReason,
)
from assistant.fleet.service import EventSink, FleetConfig, FleetService
from assistant.fleet.store import FleetBase

__all__ = ["AgvArrived", "AgvDropped", "AgvError", "AgvOffline", "AgvOrderView", "AgvPicked", "AgvView",
           "BrokerAddress", "CancelRefused", "EmbeddedBroker", "EventSink", "FleetBase", "FleetConfig", "FleetError",
           "FleetEvent", "FleetService", "LinkStatus", "NotATransfer", "NotDispatchable", "TransferWaiting",
           "WaitReason"]
