"""What happens at each site, published in-process to whoever listens (the supervisors' dashboards).

One call publishes an event to a site's subscribers, from the event loop or from any thread:

    services.feed.publish("DG", AlertEventOut(alert=...))

A subscriber is a bounded queue read by one socket. A subscriber that falls too far behind (a stalled browser)
is not waited for: its queue is emptied and it is told to start over from a fresh snapshot (`stale`). Nothing
leaves the process: several app processes would each feed their own sockets (a cross-process feed is another
piece of work)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from pydantic import BaseModel

QUEUE_SIZE = 1000


class Subscription:
    """One listener of one site: `await next()` gives the next event, or None once it fell behind (send a new
    snapshot and go on reading)."""

    def __init__(self, site: str, size: int) -> None:
        self.site = site
        self._queue: asyncio.Queue[BaseModel | None] = asyncio.Queue(size)
        self._loop = asyncio.get_running_loop()
        self.stale = False

    async def next(self) -> BaseModel | None:
        event = await self._queue.get()
        if event is None:
            self.stale = False
        return event

    def _offer(self, event: BaseModel) -> None:
        """On the subscriber's loop."""
        if self.stale:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self.stale = True
            self._queue.put_nowait(None)

    def offer(self, event: BaseModel) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._offer(event)
        else:
            with contextlib.suppress(RuntimeError):  # its loop closed: the socket is gone
                self._loop.call_soon_threadsafe(self._offer, event)


class SiteFeed:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._lock = threading.Lock()
        self._queue_size = queue_size

    @contextlib.contextmanager
    def subscribe(self, site: str) -> Iterator[Subscription]:
        """Listen to a site while the block runs (call it on the event loop that will read)."""
        subscription = Subscription(site, self._queue_size)
        with self._lock:
            self._subscribers.setdefault(site, set()).add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscribers.get(site, set()).discard(subscription)

    def publish(self, site: str, event: BaseModel) -> None:
        """Hand the event to every subscriber of the site; never blocks, never raises for a subscriber."""
        with self._lock:
            subscribers = list(self._subscribers.get(site, ()))
        for subscription in subscribers:
            subscription.offer(event)

    def sites(self) -> set[str]:
        """The sites somebody listens to now."""
        with self._lock:
            return {site for site, subs in self._subscribers.items() if subs}

    def listeners(self, site: str) -> int:
        with self._lock:
            return len(self._subscribers.get(site, ()))
