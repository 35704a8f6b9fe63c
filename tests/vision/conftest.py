from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from assistant.language.vocabulary import Vocabulary
from vision import VisionService
from vision.models import prepare_models

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "tests" / "fixtures" / "notes"
MODELS = REPO / "var" / "models" / "ocr"


@pytest.fixture(scope="session")
def manifest() -> list[dict[str, Any]]:
    return list(json.loads((NOTES / "manifest.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def network_attempts() -> list[str]:
    return []


@pytest.fixture(scope="session")
def service(vocabulary: Vocabulary, network_attempts: list[str]) -> VisionService:
    """The real PaddleOCR, loaded once for the session, with every socket connection refused and recorded:
    loading and the first read must not try the network (no hub, no model source check)."""
    prepare_models(MODELS, lambda _line: None)  # tiny (detection, second opinion) and small (recognition)
    svc = VisionService(vocabulary, MODELS)
    real_connect = socket.socket.connect
    loading_thread = threading.get_ident()

    def refuse(sock: socket.socket, address: Any) -> None:
        # Only this thread loads the models; other threads of the test session (the dialogue stack's MQTT link
        # reconnecting to the local broker) are not the vision package's doing.
        if sock.family != socket.AF_UNIX and threading.get_ident() == loading_thread:
            network_attempts.append(repr(address))
            raise OSError("network access attempted by the vision package")
        real_connect(sock, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        svc.load()
        svc.read_sync((NOTES / "nd01.png").read_bytes(), "image/png")
    return svc
