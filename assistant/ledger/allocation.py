"""Which locations goods are taken from. Pure functions over {location: available}."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from assistant.world.schema import LocationKind

# Where stock is kept (and may be picked); lines, QC and docks hold goods in use or in transit.
STORAGE_KINDS = frozenset({LocationKind.rack, LocationKind.store, LocationKind.shelf})
# A shop sells from the shelf first, then fetches from the back room.
SALE_PREFERENCE = (LocationKind.shelf, LocationKind.store, LocationKind.rack)


def transfer_sources(
    available: Mapping[str, Decimal], kinds: Mapping[str, LocationKind], destination: str
) -> list[tuple[str, Decimal]]:
    """Storage locations other than the destination that have stock, largest first."""
    found = [(loc, qty) for loc, qty in available.items()
             if qty > 0 and loc != destination and kinds[loc] in STORAGE_KINDS]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def sale_sources(available: Mapping[str, Decimal], kinds: Mapping[str, LocationKind]) -> list[tuple[str, Decimal]]:
    """Shelf, then back room (then racks), largest first within a kind."""
    rank = {kind: i for i, kind in enumerate(SALE_PREFERENCE)}
    found = [(loc, qty) for loc, qty in available.items() if qty > 0 and kinds[loc] in rank]
    return sorted(found, key=lambda pair: (rank[kinds[pair[0]]], -pair[1], pair[0]))


def take(sources: Iterable[tuple[str, Decimal]], qty: Decimal) -> list[tuple[str, Decimal]] | None:
    """Take `qty` from the sources in order; None when they hold too little."""
    legs: list[tuple[str, Decimal]] = []
    rest = qty
    for loc, have in sources:
        if rest <= 0:
            break
        part = min(have, rest)
        legs.append((loc, part))
        rest -= part
    return legs if rest <= 0 else None
