"""Where `frontline run` serves the app: plain HTTP on host:port always (this machine, the tablets' links, Rasa's
action calls), and with HTTPS on (`FRONTLINE_HTTPS`, or a certificate configured) the same app on
https_host:https_port too, for headsets and phones on the LAN. Both listeners run in one process and one event loop
over one app: its lifespan (the services) runs once, with the plain listener, which also owns the signal handlers;
the HTTPS listener starts once the app is up and stops when it is told to stop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from server.launch.process import Echo, echo_stderr
from server.settings import Settings
from server.tls import box_names, lan_addresses, self_signed


def tls_files(settings: Settings) -> tuple[Path, Path] | None:
    """The certificate and key to serve HTTPS with: the configured ones, or the box's own (made on first use)."""
    if not settings.https_enabled:
        return None
    if settings.tls_cert is not None and settings.tls_key is not None:
        return settings.tls_cert, settings.tls_key
    return self_signed(settings.var_dir / "tls", box_names(settings.tls_names))


def https_base_urls(settings: Settings) -> list[str]:
    """How a device on the LAN reaches the HTTPS listener (what `frontline run` prints)."""
    anywhere = settings.https_host in ("0.0.0.0", "::", "")
    hosts = (lan_addresses() or ["127.0.0.1"]) if anywhere else [settings.https_host]
    return [f"https://{host}:{settings.https_port}" for host in hosts]


class _Beside(uvicorn.Server):
    """A second listener of the app in the same loop: no signal handlers of its own (the plain listener's stop
    stops it) and no lifespan (the plain listener's runs the app's)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Listeners:
    def __init__(self, app: FastAPI, settings: Settings, echo: Echo = echo_stderr) -> None:
        self.main = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning"))
        self.beside: list[uvicorn.Server] = []
        files = tls_files(settings)
        if files is not None:
            cert, key = files
            self.beside.append(_Beside(uvicorn.Config(app, host=settings.https_host, port=settings.https_port,
                                                      ssl_certfile=str(cert), ssl_keyfile=str(key),
                                                      log_level="warning", lifespan="off")))
            echo(f"==> HTTPS for the LAN on {settings.https_host}:{settings.https_port} (certificate {cert})")

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM (or `stop()`); like `uvicorn.run`, exits 3 when the app does not start."""
        asyncio.run(self.serve())
        if not self.main.started:
            raise SystemExit(3)

    def stop(self) -> None:
        self.main.should_exit = True

    async def serve(self) -> None:
        main = asyncio.create_task(self.main.serve(), name="http")
        while not self.main.started and not main.done():
            await asyncio.sleep(0.05)
        others = [asyncio.create_task(server.serve(), name="https") for server in self.beside] \
            if self.main.started else []
        follower = asyncio.create_task(self._stop_with_main(), name="https-stop")
        try:
            await main
        finally:
            follower.cancel()
            for server in self.beside:
                server.should_exit = True
            await asyncio.gather(*others, return_exceptions=True)

    async def _stop_with_main(self) -> None:
        # The plain listener got the signal: the HTTPS one stops taking requests while the app shuts down.
        while not self.main.should_exit:
            await asyncio.sleep(0.1)
        for server in self.beside:
            server.should_exit = True
