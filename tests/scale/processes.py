"""Real processes on loopback for the multi-process test and the capacity benchmarks: `frontline serve`, `frontline
nlu serve`, the AGV simulator (and the recognition workers once they exist), each in a process group of its own so
a SIGKILL takes its children (a Rasa server under `nlu serve`) with it, its output in a log file, every one stopped
at the end whatever happened; and a failover TCP proxy standing in for the load balancer in front of the apps.

The commands run from this checkout (`python -m server …` with PYTHONPATH at the repository), so a worktree's code
is what runs, not an installed copy."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from server.settings import REPO_ROOT
from tests.support import free_port

FRONTLINE = [sys.executable, "-m", "server"]  # the `frontline` command of this checkout


_HANDED_OUT: set[int] = set()  # by this process: never the same port twice


def server_port() -> int:
    """A free port for a server that binds it only later (a Rasa server: a minute or more on a busy box). Below the
    kernel's ephemeral range, where no outgoing connection of this box is given it meanwhile (a port the kernel
    handed out as free, `free_port()`, was seen taken by the time Rasa bound it)."""
    low, _high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    for _ in range(200):
        port = random.randrange(max(1024, low - 12000), low)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    return free_port()


@dataclass
class Proc:
    """One child in its own process group; `kill()` is a crash (SIGKILL to the group), `stop()` a clean stop."""

    name: str
    popen: subprocess.Popen[bytes]
    log_file: Path
    url: str | None = None  # where it answers, when it is a server

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout_s: float = 15.0) -> None:
        if self.alive:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout_s)
        # whatever it left behind in its group (a Rasa server whose `nlu serve` already exited)
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Processes:
    """The children of one run. Use as a context manager: on the way out every child is stopped, and when the block
    failed the tail of each child's log is printed (pytest shows it with the failure)."""

    def __init__(self, log_dir: Path, base_env: Mapping[str, str] | None = None) -> None:
        self.log_dir = log_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # The caller's FRONTLINE_* settings never leak into a child: each gets exactly the ones given.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
        self.base_env = {**inherited, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1", **(base_env or {})}
        self.children: list[Proc] = []

    def start(self, name: str, command: Sequence[str], env: Mapping[str, str] | None = None,
              url: str | None = None) -> Proc:
        log_file = self.log_dir / f"{name}.log"
        with log_file.open("ab") as log:
            popen = subprocess.Popen(list(command), cwd=REPO_ROOT, env={**self.base_env, **(env or {})},
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        proc = Proc(name, popen, log_file, url)
        self.children.append(proc)
        return proc

    def start_many(self, name: str, command: Callable[[int], Sequence[str]], count: int,
                   env: Callable[[int], Mapping[str, str]], url: Callable[[int], str | None] = lambda _i: None,
                   ) -> list[Proc]:
        """`count` processes of one kind (`name-0`, `name-1`, …): the command, environment and address of each by
        its index. Started without waiting: readiness is the caller's (`wait_ready`), so slow starters load in
        parallel."""
        return [self.start(f"{name}-{i}", command(i), env(i), url(i)) for i in range(count)]

    def logs(self, lines: int = 60) -> str:
        return "\n".join(f"----- {p.name} ({'running' if p.alive else f'exit {p.popen.returncode}'}; "
                         f"{p.log_file}) -----\n{p.tail(lines)}" for p in self.children)

    def close(self) -> None:
        for proc in reversed(self.children):
            proc.stop()

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_rest: object) -> None:
        try:
            if exc_type is not None:
                print(f"\n===== logs of the processes (after {exc_type.__name__}) =====\n{self.logs()}", flush=True)
        finally:
            self.close()


def wait_ready(procs: Sequence[Proc], probe: Callable[[Proc], bool], *, timeout_s: float, what: str) -> None:
    """Poll until `probe` is true for every process; a process that exits meanwhile fails at once, with its log."""
    deadline = time.monotonic() + timeout_s
    pending = list(procs)
    while pending:
        for proc in list(pending):
            if not proc.alive:
                raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}) before {what}:\n{proc.tail()}")
            if probe(proc):
                pending.remove(proc)
        if not pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not {what} after {timeout_s:.0f} s: {[p.name for p in pending]}")
        time.sleep(0.5)


def health(proc: Proc, *, ready: bool = True) -> bool:
    """The app answers /health (with `ready`: 200, its database, Rasa and Redis all answering)."""
    assert proc.url is not None
    try:
        response = httpx.get(f"{proc.url}/health", timeout=5, trust_env=False)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 or (not ready and response.status_code == 503)


def rasa_ready(proc: Proc, channel_secret: str) -> bool:
    """A Rasa server has its model loaded (its Frontline channel's status names it)."""
    assert proc.url is not None
    try:
        response = httpx.get(f"{proc.url}/webhooks/frontline/status", headers={"X-Frontline-Secret": channel_secret},
                             timeout=5, trust_env=False)
    except httpx.HTTPError:
        return False
    status: dict[str, Any] = response.json() if response.status_code == 200 else {}
    return bool(status.get("model_file") and status.get("model_id"))


def rasa_var_dir(var_dir: Path) -> Path:
    """A var folder for one `frontline nlu serve`: its own built project, endpoints and log (two servers building
    into one folder at once would remove each other's files), the checkout's trained models (no training)."""
    (var_dir / "nlu").mkdir(parents=True, exist_ok=True)
    models = var_dir / "nlu" / "models"
    if not models.exists():
        models.symlink_to((REPO_ROOT / "var" / "nlu" / "models").resolve(), target_is_directory=True)
    return var_dir


def app_command() -> list[str]:
    return [*FRONTLINE, "serve"]


def rasa_command(port: int) -> list[str]:
    return [*FRONTLINE, "nlu", "serve", "--port", str(port)]


def simulator_command(broker: str, base: str, *, speed: float = 5.0, action_s: float = 0.5,
                      state_period_s: float = 0.5) -> list[str]:
    return [*FRONTLINE, "agv-sim", "--broker", broker, "--base", base, "--speed", str(speed),
            "--action-seconds", str(action_s), "--state-period", str(state_period_s)]


def rasa_urls_env(urls: Sequence[str]) -> str:
    return json.dumps(list(urls))


class FailoverProxy:
    """A TCP load balancer on loopback: each new connection goes to the next upstream in turn, and to the one after
    when that refuses (its process is gone); an open connection dies with its upstream, as behind a real one."""

    def __init__(self, upstream_ports: Sequence[int], *, in_order: bool = False) -> None:
        """`in_order`: always the first upstream that accepts (a primary and its standby), not each in turn."""
        self.upstream_ports = list(upstream_ports)
        self._in_order = in_order
        self.port = free_port()
        self._next = 0
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FailoverProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True, name="failover-proxy").start()
        return self

    def __exit__(self, *_exc: object) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _upstream(self) -> socket.socket | None:
        with self._lock:
            first, self._next = (0, 0) if self._in_order else (self._next, self._next + 1)
        for n in range(len(self.upstream_ports)):
            port = self.upstream_ports[(first + n) % len(self.upstream_ports)]
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                continue
        return None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = self._upstream()
            if upstream is None:
                client.close()
                continue
            upstream.settimeout(None)
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
