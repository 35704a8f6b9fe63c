"""The turn recorder over a real SQLite journal: recordings kept under the retention setting and purged after it;
a failure before the turn began still gets an id and a record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.journal import TurnJournal
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.pipeline import TurnContext, TurnError
from assistant.pipeline.record import RawInput, TurnRecorder

CTX = TurnContext(device="HMD-01", device_kind="ar_headset", site="DG", worker="W01", language="zh")


def _journal(tmp_path: Path) -> TurnJournal:
    url = f"sqlite:///{tmp_path / 'frontline.db'}"
    upgrade(url)
    return TurnJournal(make_engine(url))


async def test_a_recording_is_kept_while_the_retention_lasts(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    media = tmp_path / "media"
    recorder = TurnRecorder(journal, media, keep_media_days=7)
    error = TurnError("audio-corrupt", "stt")
    turn_id = await recorder.failed(CTX, "api", RawInput("audio", data=b"RIFF....", content_type="audio/wav"), error)
    record = journal.get(turn_id)
    assert record is not None and record.result == "audio-corrupt" and record.stage == "stt"
    assert record.media_path is not None and (media / record.media_path).read_bytes() == b"RIFF...."
    assert error.turn_id == turn_id

    old = media / "2020-01-01"
    old.mkdir()
    assert recorder.purge_media(dt.date.today()) == 1 and not old.exists()
    assert (media / record.media_path).exists()  # today's stays


async def test_no_retention_keeps_only_the_hash(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    recorder = TurnRecorder(journal, tmp_path / "media", keep_media_days=0)
    turn_id = await recorder.failed(CTX, "api", RawInput("image", data=b"\x89PNG", content_type="image/png"),
                                    TurnError("image-corrupt", "ocr"))
    record = journal.get(turn_id)
    assert record is not None and record.media_path is None and record.input_sha256 is not None
    assert not (tmp_path / "media").exists()
