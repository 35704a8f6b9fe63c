"""Messages pushed to connected devices (AGV progress on the headset), by device code."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

Send = Callable[[Any], Awaitable[None]]  # a socket's send_json
Relay = Callable[[str, BaseModel], Awaitable[None]]  # (device, message): a device reached another way (a chat)


class DevicePush:
    def __init__(self) -> None:
        self._senders: dict[str, set[Send]] = {}
        self._relays: dict[str, Relay] = {}  # device code prefix → how news reaches it

    def relay(self, prefix: str, relay: Relay) -> None:
        """Devices whose code starts with `prefix` (a worker's chat: "wecom-W12") get their news through `relay`."""
        self._relays[prefix] = relay

    def attach(self, device: str, send: Send) -> Callable[[], None]:
        """Register a live connection; the returned function detaches it."""
        self._senders.setdefault(device, set()).add(send)
        return lambda: self._senders.get(device, set()).discard(send)

    def connected(self, device: str) -> bool:
        return bool(self._senders.get(device))

    async def push(self, device: str, message: BaseModel) -> None:
        relay = next((r for prefix, r in self._relays.items() if device.startswith(prefix)), None)
        if relay is not None:
            with contextlib.suppress(Exception):  # a platform down must not stop the others (its send is logged)
                await relay(device, message)
            return
        body = message.model_dump(mode="json", by_alias=True)
        for send in list(self._senders.get(device, ())):
            with contextlib.suppress(Exception):  # a closing socket must not stop the others
                await send(body)
