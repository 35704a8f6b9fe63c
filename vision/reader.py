"""What the app needs of photo reading, whoever does it: `VisionService` in this process, or a client of the
recognition workers (`assistant.recognition.RemoteVision`)."""

from __future__ import annotations

from typing import Protocol

from vision.correct import Names
from vision.results import VisionResult


class PhotoReader(Protocol):
    async def start(self) -> None: ...

    async def read(self, image: bytes, content_type: str | None) -> VisionResult: ...

    def use_names(self, names: Names) -> None: ...
