"""Where platform-bound messages go: to the platform's API, or — on demo credentials — into the local outbound log
(`frontline channels log`), so a message is processed the same whichever way its reply goes."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import structlog

from assistant.journal.channels import OutboundLog

log = structlog.get_logger(__name__)


class LocalOutbox:
    """Demo mode's platform: every send is kept on the box."""

    def __init__(self, store: OutboundLog) -> None:
        self._store = store

    async def keep(self, platform: str, kind: str, target: str, body: dict[str, Any]) -> None:
        await asyncio.to_thread(self._store.append, platform, kind, target, body)
        log.info("chat-kept-locally", platform=platform, kind=kind, target=target)


def file_record(data: bytes, filename: str) -> dict[str, Any]:
    """What the local log keeps of a file that would have been sent: not the bytes, what identifies them."""
    return {"msgtype": "file", "file": {"name": filename, "bytes": len(data),
                                        "sha256": hashlib.sha256(data).hexdigest()}}
