"""What the actions need, handed to each action instance when the app registers it (no globals)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker

from assistant.dialogue.approvals import Approvals, Notify
from assistant.fleet import FleetService
from assistant.language.resolve import Resolver
from assistant.language.vocabulary import Vocabulary
from assistant.ledger.service import Ledger
from assistant.world.master_data import MasterData
from assistant.world.schema import World

T = TypeVar("T")


@dataclass(frozen=True)
class ActionDeps:
    master: MasterData  # world, vocabulary and resolver of this moment (customers may be added in conversation)
    ledger: Ledger
    timezone: str
    fleet: FleetService | None = None  # None where no fleet link runs (unit tests of the dialogue)
    notify: Notify | None = None  # tells other devices about approvals (None: nobody else is told)

    @property
    def world(self) -> World:
        return self.master.world

    @property
    def vocabulary(self) -> Vocabulary:
        return self.master.vocabulary

    @property
    def resolver(self) -> Resolver:
        return self.master.resolver

    @property
    def approvals(self) -> Approvals:
        return Approvals(self.world, self.ledger, self.fleet, self.notify)

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()

    async def in_thread(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Ledger calls are blocking database work: keep them off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)


@dataclass(frozen=True)
class TurnMeta:
    """The turn's context, sent by the pipeline as message metadata."""

    turn_id: str
    device: str
    site: str
    worker: str | None
    lang: str
    scans: tuple[dict[str, Any], ...] = ()
    customer: str | None = None  # a customer's contact writing in a chat: they order for this customer only

    def scanned(self, kind: str) -> str | None:
        """The code of an item or location the device scanned just before this turn."""
        return next((str(s["code"]) for s in self.scans if s.get("kind") == kind and s.get("code")), None)

    @classmethod
    def of(cls, tracker: Tracker) -> TurnMeta:
        meta: dict[str, Any] = (tracker.latest_message or {}).get("metadata") or {}
        return cls(
            turn_id=str(meta.get("turn_id") or ""),
            device=str(meta.get("device") or tracker.sender_id),
            site=str(meta.get("site") or ""),
            worker=meta.get("worker"),
            lang="en" if meta.get("lang") == "en" else "zh",
            scans=tuple(s for s in meta.get("scans") or [] if isinstance(s, dict)),
            customer=meta.get("customer") or None,
        )
