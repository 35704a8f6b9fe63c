"""Decoded codes → things in the world: an item by GTIN, a location by its code (or a name on the label)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.language.resolve import Match, NotFound, Resolver
from assistant.language.vocabulary import match_key
from assistant.world.schema import Item, Location, World
from vision import CodeReading, Gs1Fields

MAX_SUGGESTIONS = 3
MAX_GTIN_DIGITS = 2


class CodeMatch(BaseModel):
    """What a code refers to in the world. `kind` "none": nothing matched; `suggestions` are close item codes."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["item", "location", "none"]
    code: str | None = None
    name: str | None = None
    suggestions: tuple[str, ...] = ()


class ScannedCode(BaseModel):
    """A decoded barcode and what it names here."""

    model_config = ConfigDict(frozen=True)

    format: str
    text: str
    decoder: str
    gs1: Gs1Fields | None
    match: CodeMatch


class CodeMatcher:
    def __init__(self, world: World, resolver: Resolver) -> None:
        self._items_by_gtin: dict[str, Item] = {item.gtin.zfill(14): item for item in world.items}
        self._items = {item.code: item for item in world.items}
        self._locations: dict[str, Location] = {}
        for site in world.sites:
            for loc in site.locations:
                self._locations.setdefault(match_key(loc.code), loc)
                for name in loc.names:
                    self._locations.setdefault(match_key(name), loc)
        self._resolver = resolver

    def scanned(self, code: CodeReading) -> ScannedCode:
        return ScannedCode(format=code.format, text=code.text, decoder=code.decoder, gs1=code.gs1,
                           match=self.match(code.text, code.gs1))

    def match(self, text: str, gs1: Gs1Fields | None) -> CodeMatch:
        if gs1 is not None and gs1.gtin is not None:
            item = self._items_by_gtin.get(gs1.gtin.zfill(14))
            if item is not None:
                return CodeMatch(kind="item", code=item.code, name=item.name)
            return CodeMatch(kind="none", suggestions=self._close_gtins(gs1.gtin))
        loc = self._locations.get(match_key(text))
        if loc is not None:
            return CodeMatch(kind="location", code=loc.code, name=loc.name)
        if text.strip().isdigit():  # a number we do not know: perhaps a GTIN with a typo or another pack size
            return CodeMatch(kind="none", suggestions=self._close_gtins(text.strip()))
        resolved = self._resolver.item(text)
        if isinstance(resolved, Match):
            item = self._items[resolved.code]
            return CodeMatch(kind="item", code=item.code, name=item.name)
        suggestions = resolved.suggestions if isinstance(resolved, NotFound) else ()
        return CodeMatch(kind="none", suggestions=tuple(suggestions[:MAX_SUGGESTIONS]))

    def _close_gtins(self, gtin: str) -> tuple[str, ...]:
        """Items whose GTIN differs in at most MAX_GTIN_DIGITS digits (check digit left out: it changes with
        any other), nearest item reference first: a misprinted label or another pack of the same product."""
        if not gtin.isdigit() or len(gtin) > 14:
            return ()
        body = gtin.zfill(14)[:-1]
        ranked = []
        for known, item in self._items_by_gtin.items():
            differing = sum(a != b for a, b in zip(body, known[:-1], strict=True))
            if differing <= MAX_GTIN_DIGITS:
                ranked.append((differing, abs(int(body) - int(known[:-1])), item.code))
        return tuple(code for _, _, code in sorted(ranked)[:MAX_SUGGESTIONS])
