"""Document numbers as people type and say them, read into the one reading's `document` entity."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.language.reading import MessageReader
from assistant.world.master_data import MasterData
from assistant.world.schema import World


@pytest.mark.parametrize(("text", "number"), [
    ("批准TR-000123", "TR-000123"), ("tr 45 同意", "TR-000045"), ("驳回调拨单532", "TR-000532"),
    ("批准调拨单一百二十三", "TR-000123"), ("驳回调拨单零零零五三二", "TR-000532"), ("approve TR123", "TR-000123"),
])
def test_document_numbers(world: World, text: str, number: str) -> None:
    reading = MessageReader(MasterData(world), today=lambda: date(2026, 11, 30)).read(text, site="DG")
    assert [e["value"] for e in reading.entities() if e["entity"] == "document"] == [number]


@pytest.mark.parametrize("text", ["调拨单半", "STRONG 123", "调拨5件曲轴到总装线B区", "调拨单"])
def test_no_document_where_there_is_none(world: World, text: str) -> None:
    reading = MessageReader(MasterData(world), today=lambda: date(2026, 11, 30)).read(text, site="DG")
    assert [e for e in reading.entities() if e["entity"] == "document"] == []
