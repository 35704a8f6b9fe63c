"""Where alerts go: anything with a stable name that serves some sites and can deliver an alert.

The group-chat senders (WeCom group bot, DingTalk custom robot) live at the web edge (`server/channels/groups.py`);
the in-process callback below carries alerts to the site's supervisors' devices and the dashboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from assistant.alerts.views import Alert

OnAlert = Callable[[Alert], Awaitable[None]]


class DeliveryFailed(Exception):
    """The target could not take the alert now; it is tried again later. The message is stored as the delivery's
    last error: it must never carry a key, token, secret or a URL holding one."""


class Route(Protocol):
    """Which sites' alerts a named destination takes. `name` is stored on delivery rows: keep it stable across
    restarts (the consumer writes rows by route; a delivery service with the same names sends them)."""

    @property
    def name(self) -> str: ...

    def serves(self, site: str) -> bool: ...


class Target(Route, Protocol):
    """A destination of alerts."""

    async def deliver(self, alert: Alert) -> None:
        """Deliver or raise (`DeliveryFailed` for an expected failure; anything else counts as one too)."""


class CallbackTarget:
    """An in-process destination: `on_alert(alert)` (the app connects it to socket pushes). A raised exception is a
    failed delivery and is retried like any other."""

    def __init__(self, name: str, on_alert: OnAlert, sites: Collection[str] | None = None) -> None:
        self._name = name
        self._on_alert = on_alert
        self._sites = None if sites is None else frozenset(sites)

    @property
    def name(self) -> str:
        return self._name

    def serves(self, site: str) -> bool:
        return self._sites is None or site in self._sites

    async def deliver(self, alert: Alert) -> None:
        await self._on_alert(alert)
