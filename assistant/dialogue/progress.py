"""AGV progress said to the people who wait for it: the worker who asked, and supervisors on trouble.

`notice` decides whom to tell; `progress_text` says it in one reader's language, so a push to several devices
gives each the words of its own worker."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.catalogue import say
from assistant.dialogue.agv import waiting_text
from assistant.dialogue.quantities import location_name
from assistant.fleet import AgvArrived, AgvDropped, AgvPicked, FleetEvent, TransferWaiting
from assistant.world.schema import Role, World

Told = AgvArrived | AgvPicked | AgvDropped | TransferWaiting  # the events somebody is told about


@dataclass(frozen=True)
class Notice:
    """Whom to tell about a fleet event; the event itself carries codes and data, not words."""

    devices: tuple[str, ...]
    event: Told

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def doc_id(self) -> str | None:
        return self.event.doc_id

    def text(self, world: World, lang: str) -> str:
        return progress_text(world, self.event, lang)


def supervisors_devices(world: World, site: str) -> tuple[str, ...]:
    return tuple(d for w in world.workers if w.site == site and w.role in (Role.supervisor, Role.manager)
                 for d in w.devices)


def notice(world: World, event: FleetEvent, requester: str | None, site: str | None) -> Notice | None:
    """Whom to tell about a fleet event; `requester` is the device that asked for the transfer."""
    mine = (requester,) if requester else ()
    if isinstance(event, AgvArrived | AgvPicked | AgvDropped):
        return Notice(mine, event)
    if isinstance(event, TransferWaiting):
        devices = tuple(dict.fromkeys([*((event.device,) if event.device else ()),
                                       *supervisors_devices(world, event.site)]))
        return Notice(devices, event)
    return None  # AgvError, AgvOffline: followed by TransferWaiting when a transfer is affected, which says what to do


def progress_text(world: World, event: Told, lang: str) -> str:
    """AGV-01 已到达原料仓A区1号货架，正在取货 / AGV-01 is at A-01, picking up."""
    serial = event.serial or ""
    if isinstance(event, AgvArrived):
        code = "fleet-arrived-pick" if event.purpose == "pick" else "fleet-arrived-drop"
        return say(code, lang, serial=serial, location=location_name(world, event.location, lang))
    if isinstance(event, AgvPicked):
        return say("fleet-picked", lang, serial=serial)
    if isinstance(event, AgvDropped):
        return say("fleet-dropped", lang, serial=serial, location=location_name(world, event.destination, lang),
                   doc=event.doc_id or "")
    return waiting_text(event.reason, event.doc_id or "", event.serial, event.picked, event.detail, lang)
