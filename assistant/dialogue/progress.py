"""AGV progress said to the people who wait for it: the worker who asked, and supervisors on trouble."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.dialogue.quantities import location_name
from assistant.fleet import AgvArrived, AgvDropped, AgvError, AgvOffline, AgvPicked, FleetEvent, TransferWaiting
from assistant.world.schema import Role, World


@dataclass(frozen=True)
class Notice:
    devices: tuple[str, ...]
    text_zh: str
    text_en: str
    kind: str
    doc_id: str | None


def supervisors_devices(world: World, site: str) -> tuple[str, ...]:
    return tuple(d for w in world.workers if w.site == site and w.role in (Role.supervisor, Role.manager)
                 for d in w.devices)


def notice(world: World, event: FleetEvent, requester: str | None, site: str | None) -> Notice | None:
    """What to tell whom about a fleet event; `requester` is the device that asked for the transfer."""
    mine = (requester,) if requester else ()
    if isinstance(event, AgvArrived):
        where = location_name(world, event.location)
        if event.purpose == "pick":
            return Notice(mine, f"{event.serial} 已到达{where}，正在取货", f"{event.serial} is at {event.location}, "
                          "picking up", event.kind, event.doc_id)
        return Notice(mine, f"{event.serial} 已到达{where}，正在卸货", f"{event.serial} is at {event.location}, "
                      "dropping off", event.kind, event.doc_id)
    if isinstance(event, AgvPicked):
        return Notice(mine, f"{event.serial} 已取货，正在送往目的地", f"{event.serial} has the goods and is on its way",
                      event.kind, event.doc_id)
    if isinstance(event, AgvDropped):
        where = location_name(world, event.destination)
        return Notice(mine, f"{event.serial} 已送达{where}，调拨单{event.doc_id}完成",
                      f"{event.serial} delivered to {event.destination}; transfer {event.doc_id} is done",
                      event.kind, event.doc_id)
    if isinstance(event, TransferWaiting):
        devices = tuple(dict.fromkeys([*((event.device,) if event.device else ()),
                                       *supervisors_devices(world, event.site)]))
        return Notice(devices, event.message_zh, event.message_en, event.kind, event.doc_id)
    if isinstance(event, AgvError | AgvOffline):
        return None  # followed by TransferWaiting when a transfer is affected, which says what to do
    return None
