"""Stopping a background task for good."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def stop_task(task: asyncio.Task[Any], *, retry_s: float = 0.5) -> None:
    """Cancel `task` and wait until it has ended. Python 3.11's `asyncio.wait_for` (aiomqtt's timeouts, ours)
    swallows a cancellation that lands just as the awaited thing completes, so a loop can survive one cancel
    and a plain `await task` then waits forever: cancel again until it ends."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=retry_s)
    with contextlib.suppress(asyncio.CancelledError):
        await task
