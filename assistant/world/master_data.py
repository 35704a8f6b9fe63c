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
from assistant.language.vocabulary import Vocabulary
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
        self._file_world = world
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

    def add_customers(self, customers: Iterable[Customer]) -> None:
        """Customers the ledger just registered, on top of those known."""
        known = {c.code: c for c in self._now.world.customers if c not in self._file_world.customers}
        self.set_registered([*known.values(), *customers])

    def set_registered(self, customers: Iterable[Customer]) -> None:
        """All customers the ledger registered beyond the world file (read at start, and again before a customer
        is looked up: the ledger may have been reset or written by another process). No change, no rebuild."""
        registered = {c.code: c for c in customers}
        with self._lock:
            base = tuple(c for c in self._file_world.customers if c.code not in registered)
            merged = (*base, *registered.values())
            if merged == self._now.world.customers:
                return
            world = self._file_world.model_copy(update={"customers": merged})
            vocabulary = Vocabulary.from_world(world)
            self._now = _Snapshot(world, vocabulary, Resolver(world, vocabulary))
        log.info("master-data.customers", registered=sorted(registered))
        for listener in self._listeners:
            listener(world, vocabulary)
