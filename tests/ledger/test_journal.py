"""The turns on record, on SQLite and PostgreSQL: written once, read back by id and by device, and never changed
or removed (the database itself refuses)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from assistant.journal import OcrLineRecord, TurnJournal, TurnRecord


def _record(device: str, at: dt.datetime, **values: object) -> TurnRecord:
    fields: dict[str, object] = {
        "id": uuid.uuid4().hex, "ts": at, "site": "DG", "device": device, "worker": "W01", "channel": "api",
        "input_kind": "text", "input_text": "调拨5件曲轴到总装线B区", "input_sha256": "0" * 64, "lang": "zh",
        "intent": "transfer_stock", "intent_confidence": 0.97, "reply": "调拨曲轴5件到总装线B区，确认吗?",
        "entities": ({"entity": "item", "value": "CS-1001"},), "timings_ms": {"nlu": 80.5}, "result": "ok"}
    return TurnRecord.model_validate({**fields, **values})


def test_written_once_and_read_back(engine: Engine) -> None:
    journal = TurnJournal(engine)
    device = f"HMD-{uuid.uuid4().hex[:6]}"
    start = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    first = _record(device, start, ocr_lines=(OcrLineRecord(text="张三", corrected=None, confidence=0.91),))
    second = _record(device, start + dt.timedelta(seconds=5), input_text="确认", documents=("TR-000001",))
    for record in (first, second):
        journal.write(record)
    assert journal.get(first.id) == first
    assert journal.get("nope") is None
    assert [r.id for r in journal.recent("DG", device=device)] == [first.id, second.id]
    assert [r.id for r in journal.recent("DG", device=device, since=start + dt.timedelta(seconds=1))] == [second.id]
    assert journal.recent("FZ", device=device) == []
    with pytest.raises(Exception):  # noqa: B017 - the same id twice: the primary key refuses
        journal.write(first)


@pytest.mark.parametrize("statement", ["UPDATE turns SET reply = 'changed'", "DELETE FROM turns"])
def test_the_record_cannot_be_changed(engine: Engine, statement: str) -> None:
    journal = TurnJournal(engine)
    record = _record(f"PAD-{uuid.uuid4().hex[:6]}", dt.datetime.now(dt.UTC))
    journal.write(record)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"{statement} WHERE id = :id"), {"id": record.id})
    assert journal.get(record.id) == record
