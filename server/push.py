"""Messages pushed to connected devices (AGV progress on the headset), by device code."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

Send = Callable[[Any], Awaitable[None]]  # a socket's send_json


class DevicePush:
    def __init__(self) -> None:
        self._senders: dict[str, set[Send]] = {}

    def attach(self, device: str, send: Send) -> Callable[[], None]:
        """Register a live connection; the returned function detaches it."""
        self._senders.setdefault(device, set()).add(send)
        return lambda: self._senders.get(device, set()).discard(send)

    def connected(self, device: str) -> bool:
        return bool(self._senders.get(device))

    async def push(self, device: str, message: BaseModel) -> None:
        body = message.model_dump(mode="json", by_alias=True)
        for send in list(self._senders.get(device, ())):
            with contextlib.suppress(Exception):  # a closing socket must not stop the others
                await send(body)
