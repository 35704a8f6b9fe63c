"""The AGV simulator as a child process (`frontline agv-sim`): the world's vehicles on the fleet's broker."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from assistant.fleet.sim import SimConfig
from server.launch.process import ChildProcess, Echo, ProcessSpec, echo_stderr


def simulator_process(broker_url: str, *, base: str, world: Path, log_file: Path, config: SimConfig | None = None,
                      serials: Sequence[str] = (), start: Mapping[str, str] | None = None,
                      error_at: Mapping[str, str] | None = None, echo: Echo = echo_stderr) -> ChildProcess:
    """Not started yet: `.start()` it (it connects, and reconnects, to the broker by itself, so it needs no
    readiness wait), `.stop()` it (its vehicles go OFFLINE on the way out)."""
    config = config or SimConfig()
    command = [sys.executable, "-m", "server", "agv-sim", "--broker", broker_url, "--base", base,
               "--world", str(world), "--speed", str(config.speed_m_s), "--action-seconds", str(config.action_s),
               "--state-period", str(config.state_period_s)]
    for serial in serials:
        command += ["--serial", serial]
    for serial, node in (start or {}).items():
        command += ["--start", f"{serial}={node}"]
    for serial, node in (error_at or {}).items():
        command += ["--error-at", f"{serial}={node}"]
    return ChildProcess(ProcessSpec(name="the AGV simulator", command=command, log_file=log_file), echo=echo)
