"""Every turn on the record, written before its answer goes out: the turn's result (or the error it ended with)
and the raw input it came from, as a `TurnRecord`. Recordings and photos are kept as files only under the
retention setting; the record always holds their SHA-256."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from assistant.journal import Channel, OcrLineRecord, TurnJournal, TurnRecord
from assistant.pipeline.errors import TurnError
from assistant.pipeline.results import InputKind, TurnContext, TurnInput, TurnResult

log = structlog.get_logger(__name__)

OnRecord = Callable[[TurnRecord], Awaitable[None]]  # told of each turn once it is on the record

_EXTENSIONS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/amr": "amr",
               "audio/webm": "webm", "image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class RawInput:
    """What arrived, before any stage read it: the words or button as sent, or the bytes of a recording or
    photo (with any words typed beside it)."""

    kind: InputKind
    text: str | None = None
    data: bytes | None = None
    content_type: str | None = None

    def sha256(self) -> str | None:
        payload = self.data if self.data is not None else (self.text or "").encode("utf-8")
        return hashlib.sha256(payload).hexdigest() if payload else None


def _understood(turn_input: TurnInput) -> dict[str, object]:
    return {
        "transcript_raw": turn_input.transcript_raw, "transcript": turn_input.transcript,
        "stt_confidence": turn_input.confidence,
        "ocr_lines": tuple(OcrLineRecord(text=line.raw_text, corrected=line.text if line.text != line.raw_text
                                         else None, confidence=round(line.confidence, 3))
                           for line in turn_input.ocr_lines),
    }


def answered_record(ctx: TurnContext, channel: Channel, raw: RawInput, result: TurnResult, at: dt.datetime
                    ) -> TurnRecord:
    return TurnRecord.model_validate({
        "id": result.turn_id, "ts": at, "site": ctx.site, "device": ctx.device, "worker": ctx.worker,
        "channel": channel, "input_kind": raw.kind, "input_text": raw.text, "input_sha256": raw.sha256(),
        **_understood(result.input),
        "intent": result.intent.name, "intent_confidence": result.intent.confidence,
        "entities": tuple(dict(e) for e in result.entities), "reply": result.reply.text,
        "lang": result.reply.language, "documents": tuple(d.id for d in result.documents),
        "timings_ms": result.timings_ms, "result": result.outcome,
    })


def failed_record(ctx: TurnContext, channel: Channel, raw: RawInput, error: TurnError, at: dt.datetime,
                  turn_input: TurnInput | None = None) -> TurnRecord:
    understood = _understood(turn_input) if turn_input is not None else {}
    return TurnRecord.model_validate({
        "id": error.turn_id or uuid.uuid4().hex, "ts": at, "site": ctx.site, "device": ctx.device,
        "worker": ctx.worker, "channel": channel, "input_kind": raw.kind, "input_text": raw.text,
        "input_sha256": raw.sha256(), **understood, "lang": ctx.language, "result": error.code,
        "stage": error.stage,
    })


class TurnRecorder:
    """Writes each turn's record (a worker thread: database work), and keeps recordings and photos for
    `keep_media_days` days under `media_dir` (0: none are kept, only their hash). `on_record` hears of each turn
    once it is written (the supervisors' dashboard); a failing listener costs the turn nothing."""

    def __init__(self, journal: TurnJournal, media_dir: Path, keep_media_days: int,
                 on_record: OnRecord | None = None) -> None:
        self.journal = journal
        self._media_dir = media_dir
        self._keep_days = keep_media_days
        self._on_record = on_record

    async def answered(self, ctx: TurnContext, channel: Channel, raw: RawInput, result: TurnResult) -> None:
        at = dt.datetime.now(dt.UTC)
        await self._write(answered_record(ctx, channel, raw, result, at), raw)

    async def failed(self, ctx: TurnContext, channel: Channel, raw: RawInput, error: TurnError,
                     turn_input: TurnInput | None = None) -> str:
        """Record a turn that ended in an error; returns its id (errors before the turn began get one here)."""
        record = failed_record(ctx, channel, raw, error, dt.datetime.now(dt.UTC), turn_input)
        error.turn_id = record.id
        await self._write(record, raw)
        return record.id

    async def _write(self, record: TurnRecord, raw: RawInput) -> None:
        try:
            media = await asyncio.to_thread(self._keep_media, record, raw)
            record = record.model_copy(update={"media_path": media})
            await asyncio.to_thread(self.journal.write, record)
        except Exception:  # the answer still goes out; the missing record is loud in the log
            log.exception("turn-record-failed", turn_id=record.id, device=record.device)
            return
        if self._on_record is not None:
            try:
                await self._on_record(record)
            except Exception:
                log.exception("turn-record-listener-failed", turn_id=record.id)

    def media_file(self, record: TurnRecord) -> Path | None:
        """The recording or photo kept for a turn, while the retention keeps it (None: not kept, or gone)."""
        if record.media_path is None or self._keep_days <= 0:
            return None
        root = self._media_dir.resolve()
        path = (root / record.media_path).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None

    def _keep_media(self, record: TurnRecord, raw: RawInput) -> str | None:
        if self._keep_days <= 0 or raw.data is None:
            return None
        folder = self._media_dir / record.ts.date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        extension = _EXTENSIONS.get((raw.content_type or "").split(";")[0].strip().lower(), "bin")
        path = folder / f"{record.id}.{extension}"
        path.write_bytes(raw.data)
        return str(path.relative_to(self._media_dir))

    def purge_media(self, today: dt.date | None = None) -> int:
        """Remove the days of recordings and photos older than the retention; returns how many days went."""
        if not self._media_dir.is_dir():
            return 0
        oldest = (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=max(self._keep_days, 0))
        removed = 0
        for folder in self._media_dir.iterdir():
            try:
                day = dt.date.fromisoformat(folder.name)
            except ValueError:
                continue
            if day < oldest or self._keep_days <= 0:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed
