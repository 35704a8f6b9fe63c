"""Rasa's lock on a conversation, shared safely by several Rasa servers through Redis.

Rasa 3.6's own `RedisLockStore` keeps a conversation's tickets as one JSON value that each server reads, changes and
writes back: two servers issuing a ticket at the same moment both get the first one, handle the conversation's
messages at once, and one's tracker writes lose the other's events (RasaHQ/rasa#9213; seen here: four messages sent
to two servers at once left the events of three). This store takes the same Redis settings (`url`, `port`, `db`,
`password`, `key_prefix`, …) and holds one Redis lock per conversation instead (SET NX with a lifetime, released only
by its holder), so one message of a conversation is handled at a time across every server. Only `rasa run` reads it
(not part of the model's fingerprint)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

POLL_S = 0.02  # between tries while another server holds the conversation (Rasa's own store waits 1 s)


class ConversationLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig, **_: Any) -> None:
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        held = self.red.lock(f"{self.key_prefix}{conversation_id}", timeout=lock_lifetime, thread_local=False)
        deadline = time.monotonic() + lock_lifetime
        while not held.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(POLL_S)
        try:
            yield TicketLock(conversation_id)  # Rasa's callers only hold it
        finally:
            try:
                held.release()
            except redis.exceptions.LockError:  # held past its lifetime: another message may have it already
                logger.warning("conversation lock of '%s' expired before its message was handled", conversation_id)
