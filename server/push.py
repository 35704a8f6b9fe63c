"""Messages pushed to connected devices (AGV progress on the headset, approvals and alerts on a tablet), by device
code. In one process a push goes straight to the device's sockets; with a push bus (several app processes, Redis)
it is published, and every process delivers it to the sockets it holds, so it reaches the device whichever process
took its socket. Chat devices are reached through their platform (a relay) by the process that has the news."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from assistant.state import PushBus

Send = Callable[[Any], Awaitable[None]]  # a socket's send_json
Relay = Callable[[str, BaseModel], Awaitable[None]]  # (device, message): a device reached another way (a chat)


class DevicePush:
    def __init__(self, bus: PushBus | None = None) -> None:
        self._bus = bus
        self._senders: dict[str, set[Send]] = {}
        self._relays: dict[str, Relay] = {}  # device code prefix → how news reaches it

    async def start(self) -> None:
        """Listen on the bus (when there is one) for pushes to the sockets this process holds."""
        if self._bus is not None:
            await self._bus.start(self._deliver)

    async def aclose(self) -> None:
        if self._bus is not None:
            await self._bus.aclose()

    def relay(self, prefix: str, relay: Relay) -> None:
        """Devices whose code starts with `prefix` (a worker's chat: "wecom-W12") get their news through `relay`."""
        self._relays[prefix] = relay

    def attach(self, device: str, send: Send) -> Callable[[], None]:
        """Register a live connection; the returned function detaches it."""
        self._senders.setdefault(device, set()).add(send)
        return lambda: self._senders.get(device, set()).discard(send)

    def connected(self, device: str) -> bool:
        """Whether this process holds a socket of the device."""
        return bool(self._senders.get(device))

    async def push(self, device: str, message: BaseModel) -> None:
        relay = next((r for prefix, r in self._relays.items() if device.startswith(prefix)), None)
        if relay is not None:  # sent once, by this process: every process has the platform's sender
            with contextlib.suppress(Exception):  # a platform down must not stop the others (its send is logged)
                await relay(device, message)
            return
        body = message.model_dump(mode="json", by_alias=True)
        if self._bus is not None:
            await self._bus.publish(device, body)
        else:
            await self._deliver(device, body)

    async def _deliver(self, device: str, body: Any) -> None:
        for send in list(self._senders.get(device, ())):
            with contextlib.suppress(Exception):  # a closing socket must not stop the others
                await send(body)
