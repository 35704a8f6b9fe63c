"""The master data as the running assistant knows it: the world file, plus the customers registered in
conversation since (kept in the ledger).

The world, its vocabulary and its resolver are rebuilt together on a change and swapped in one assignment,
so a reader sees either the old names or the new ones, never a mix. Listeners (OCR correction, speech
grammars) are told so they rebuild what they derived from the vocabulary."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import structlog

from assistant.language.resolve import Resolver
from assistant.language.vocabulary import Vocabulary, match_key
from assistant.world.schema import Customer, World

log = structlog.get_logger(__name__)

Listener = Callable[[World, Vocabulary], None]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    world: World
    vocabulary: Vocabulary
    resolver: Resolver


class MasterData:
    def __init__(self, world: World) -> None:
        vocabulary = Vocabulary.from_world(world)
        self._now = _Snapshot(world, vocabulary, Resolver(world, vocabulary))
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    @property
    def world(self) -> World:
        return self._now.world

    @property
    def vocabulary(self) -> Vocabulary:
        return self._now.vocabulary

    @property
    def resolver(self) -> Resolver:
        return self._now.resolver

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def customer_named(self, name: str) -> Customer | None:
        key = match_key(name)
        return next((c for c in self.world.customers if key in {match_key(n) for n in c.names}), None)

    def add_customers(self, customers: Iterable[Customer]) -> None:
        """Customers the ledger registered (at start: those of earlier runs). Known codes are skipped."""
        with self._lock:
            known = {c.code for c in self._now.world.customers}
            new = [c for c in customers if c.code not in known]
            if not new:
                return
            world = self._now.world.model_copy(update={"customers": (*self._now.world.customers, *new)})
            vocabulary = Vocabulary.from_world(world)
            self._now = _Snapshot(world, vocabulary, Resolver(world, vocabulary))
        log.info("master-data.customers-added", codes=[c.code for c in new])
        for listener in self._listeners:
            listener(world, vocabulary)
