"""`frontline run` stopped with SIGTERM (systemd, docker stop, kill) stops its children too: none is left
running without its app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.settings import REPO_ROOT
from tests.support import free_port


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_the_children(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "FRONTLINE_VAR_DIR": str(tmp_path), "FRONTLINE_PORT": str(port),
           "FRONTLINE_SECRET": "runner-test-secret", "FRONTLINE_START_RASA": "false",
           "FRONTLINE_RASA_URL": f"http://127.0.0.1:{free_port()}", "FRONTLINE_DATABASE_URL": ""}
    runner = subprocess.Popen([sys.executable, "-m", "server", "run"], cwd=REPO_ROOT, env=env,
                              stdout=(tmp_path / "run.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # up (503 without Rasa is fine) with its AGV simulator beside it
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        children = _children(runner.pid)
        assert children, (tmp_path / "run.log").read_text(errors="replace")[-2000:]
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) != 0
        deadline = time.monotonic() + 15
        while any(_alive(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(child) for child in children)
    finally:
        runner.kill()
        runner.wait(timeout=30)
