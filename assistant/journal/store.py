"""The turns table: written once per turn, never updated or deleted (the database refuses both: migration 0007
adds triggers), read back by id or as a device's recent turns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, Float, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from assistant.journal.record import OcrLineRecord, TurnRecord


class JournalBase(DeclarativeBase):
    """Separate metadata from the ledger's; the table is created by Alembic (revision 0007)."""


class TurnRow(JournalBase):
    __tablename__ = "turns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    site: Mapped[str] = mapped_column(String(16), index=True)
    device: Mapped[str] = mapped_column(String(32), index=True)
    worker: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    input_kind: Mapped[str] = mapped_column(String(8))
    input_text: Mapped[str | None] = mapped_column(Text)
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    media_path: Mapped[str | None] = mapped_column(String(255))
    transcript_raw: Mapped[str | None] = mapped_column(Text)
    transcript: Mapped[str | None] = mapped_column(Text)
    stt_confidence: Mapped[float | None] = mapped_column(Float)
    ocr_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reply: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(4))
    documents: Mapped[list[str]] = mapped_column(JSON)
    timings_ms: Mapped[dict[str, float]] = mapped_column(JSON)
    result: Mapped[str] = mapped_column(String(48))
    stage: Mapped[str | None] = mapped_column(String(8))


def _row(record: TurnRecord) -> TurnRow:
    values = record.model_dump(mode="json")
    values["ts"] = record.ts
    return TurnRow(**values)


def _record(row: TurnRow) -> TurnRecord:
    return TurnRecord(
        id=row.id, ts=row.ts if row.ts.tzinfo else row.ts.replace(tzinfo=dt.UTC), site=row.site, device=row.device,
        worker=row.worker, channel=row.channel, input_kind=row.input_kind,
        input_text=row.input_text, input_sha256=row.input_sha256, media_path=row.media_path,
        transcript_raw=row.transcript_raw, transcript=row.transcript, stt_confidence=row.stt_confidence,
        ocr_lines=tuple(OcrLineRecord.model_validate(line) for line in row.ocr_lines or ()),
        intent=row.intent, intent_confidence=row.intent_confidence, entities=tuple(row.entities or ()),
        reply=row.reply, lang=row.lang, documents=tuple(row.documents or ()), timings_ms=dict(row.timings_ms or {}),
        result=row.result, stage=row.stage)


class TurnJournal:
    """Blocking database work: call it from a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def write(self, record: TurnRecord) -> None:
        with self._sessions.begin() as session:
            session.add(_row(record))

    def get(self, turn_id: str) -> TurnRecord | None:
        with self._sessions() as session:
            row = session.get(TurnRow, turn_id)
            return _record(row) if row is not None else None

    def recent(self, site: str, *, device: str | None = None, since: dt.datetime | None = None,
               limit: int = 100) -> list[TurnRecord]:
        """The site's turns, oldest first from `since` (else the latest `limit`, oldest first)."""
        query = select(TurnRow).where(TurnRow.site == site)
        if device is not None:
            query = query.where(TurnRow.device == device)
        if since is not None:
            query = query.where(TurnRow.ts >= since).order_by(TurnRow.ts, TurnRow.id).limit(limit)
            with self._sessions() as session:
                return [_record(row) for row in session.scalars(query)]
        query = query.order_by(TurnRow.ts.desc(), TurnRow.id.desc()).limit(limit)
        with self._sessions() as session:
            return [_record(row) for row in reversed(session.scalars(query).all())]
