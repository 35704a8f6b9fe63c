"""The steel orders' dev slice: distinct sentences, and the reading finds what each one names."""

from __future__ import annotations

from datetime import date

from assistant.language.extract import extract_mentions
from assistant.language.quantities import to_base
from assistant.language.resolve import Match, Resolver
from assistant.language.vocabulary import Vocabulary
from assistant.world.schema import World
from bench.devsets import steel
from bench.devsets.voice import normal


def test_the_slice_is_read_as_generated(world: World, vocabulary: Vocabulary, resolver: Resolver) -> None:
    cases = steel.generate(world)
    assert len(cases) == 2 * steel.PER_LANGUAGE == len({normal(c.text) for c in cases})
    for case in cases:
        m = extract_mentions(case.text, vocabulary, resolver, "FS", date(2026, 11, 18))
        assert m.item is not None and m.item.resolution == Match(case.expect.item or ""), case.text
        assert m.customer is not None and m.customer.resolution == Match(case.expect.customer or ""), case.text
        assert m.amount is not None, case.text
        assert to_base(world, world.item(case.expect.item or ""), m.amount.amount).qty_base == case.expect.qty_base
