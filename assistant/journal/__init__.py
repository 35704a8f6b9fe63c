"""Every turn on the record, append-only: what came in, what was understood, what was answered and written."""

from assistant.journal.record import Channel, OcrLineRecord, TurnRecord
from assistant.journal.store import JournalBase, TurnJournal

__all__ = ["Channel", "JournalBase", "OcrLineRecord", "TurnJournal", "TurnRecord"]
