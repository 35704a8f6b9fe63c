"""One way to name a place for a reader: the Chinese name, or in English a spoken alias or the label's code."""

from __future__ import annotations

from assistant.dialogue.quantities import location_name
from assistant.world.schema import World


def test_a_place_is_named_in_the_readers_language(world: World) -> None:
    line_b = world.location("LINE-B")[1]
    assert line_b.display_name("zh") == "总装线B区" and line_b.display_name("en") == "assembly line B"
    rack = world.location("A-01")[1]
    assert rack.display_name("en") == "A-01"  # "A01" is a spelling for the recogniser; the label says A-01
    assert world.location("QC")[1].display_name("en") == "quality control"


def test_location_name_is_the_same_helper_and_keeps_unknown_codes(world: World) -> None:
    assert location_name(world, "LINE-B", "en") == world.location("LINE-B")[1].display_name("en")
    assert location_name(world, "LINE-B") == "总装线B区"
    assert location_name(world, "NOWHERE", "en") == "NOWHERE" and location_name(world, None) == ""
