"""Run the Rasa server (`rasa run --enable-api`) as a subprocess of the app."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx
import yaml

from assistant.nlu.build import BuiltProject
from assistant.nlu.train import rasa_env

Echo = Callable[[str], None]


class RasaServerError(RuntimeError):
    """The Rasa server did not come up (the message ends with the tail of its log)."""


def _echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class RasaServer:
    """`rasa run` on 127.0.0.1:`port` with the given model, talking to the app's action endpoint.

    >>> with RasaServer(built, model, action_endpoint="http://127.0.0.1:8000/webhook",
    ...                 log_file=Path("var/log/rasa.log")) as rasa:
    ...     httpx.post(rasa.url + "/model/parse", json={"text": "调拨5件曲轴到总装线B区"})
    """

    def __init__(
        self,
        built: BuiltProject,
        model: Path,
        *,
        action_endpoint: str,
        rasa_bin: Path,
        log_file: Path,
        port: int = 5005,
        host: str = "127.0.0.1",
        cors: str = "*",
        startup_timeout_s: float = 180.0,
        echo: Echo = _echo,
    ) -> None:
        self.built = built
        self.model = model.resolve()
        self.action_endpoint = action_endpoint
        self.rasa_bin = rasa_bin
        self.log_file = log_file.resolve()
        self.host = host
        self.port = port
        self.cors = cors
        self.startup_timeout_s = startup_timeout_s
        self.echo = echo
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def parse_url(self) -> str:
        return f"{self.url}/model/parse"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def write_endpoints(self) -> Path:
        """endpoints.yml for this run: the app's action endpoint, and the compacting tracker store that keeps
        long-lived device conversations (and so turn latency) bounded."""
        path = self.built.endpoints
        endpoints = {
            "action_endpoint": {"url": self.action_endpoint},
            "tracker_store": {"type": "components.tracker_store.CompactingTrackerStore", "max_events": 80,
                              "keep_turns": 5},
        }
        path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        return path

    def command(self) -> list[str]:
        return [
            str(self.rasa_bin), "run", "--enable-api", "-m", str(self.model),
            "--endpoints", str(self.write_endpoints()), "--credentials", str(self.built.credentials),
            "-i", self.host, "-p", str(self.port), "--cors", self.cors,
        ]

    def start(self) -> RasaServer:
        """Start the server and wait until `GET /status` reports the model loaded."""
        if self.running:
            return self
        if not self.model.is_file():
            raise RasaServerError(f"no model at {self.model}")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("ab")
        self._log = log
        self.echo(f"starting the Rasa server on {self.url} (log: {self.log_file})…")
        self._proc = subprocess.Popen(
            self.command(), cwd=self.built.path, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        started = time.monotonic()
        last_note = 0.0
        state = "process starting"
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                elapsed = time.monotonic() - started
                assert self._proc is not None
                if self._proc.poll() is not None:
                    raise RasaServerError(
                        f"rasa run exited with {self._proc.returncode} while {state}\n{self.log_tail()}"
                    )
                try:
                    response = client.get(f"{self.url}/status")
                    if response.status_code == 200:
                        status = response.json()
                        if status.get("model_file") and status.get("model_id"):
                            self.echo(f"Rasa server ready after {elapsed:.0f} s")
                            return
                        state = "HTTP up, loading the model"
                    else:
                        state = f"HTTP up, /status answered {response.status_code}"
                except httpx.TransportError:
                    state = "waiting for the HTTP port (loading TensorFlow and the model)"
                if elapsed > self.startup_timeout_s:
                    raise RasaServerError(
                        f"Rasa server not ready after {self.startup_timeout_s:.0f} s ({state})\n{self.log_tail()}"
                    )
                if elapsed - last_note >= 10:
                    self.echo(f"[{elapsed:4.0f} s] Rasa: {state}…")
                    last_note = elapsed
                time.sleep(0.5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 10.0) -> None:
        """terminate → wait → kill; closes the log."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log, self._log = self._log, None
        if log is not None:
            log.close()

    def __enter__(self) -> RasaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
