"""Helpers for tests that run the real app (uvicorn on loopback) and the real Rasa server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from assistant.access import DeviceTokens
from assistant.ledger.db import make_engine
from server.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI, port: int) -> Iterator[str]:
    """Run the app in a thread on 127.0.0.1:port until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def issue(settings: Settings, device: str) -> str:
    """A device token issued on the app's database, as `frontline devices token` issues one."""
    engine = make_engine(settings.effective_database_url)
    try:
        return DeviceTokens(engine).issue(device, settings.token_ttl)
    finally:
        engine.dispose()
