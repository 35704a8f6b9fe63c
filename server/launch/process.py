"""The one way Frontline starts another process: the Rasa server, its training, the AGV simulator.

Every child gets its command, working directory and environment from a `ProcessSpec`, writes its output to a
log file under var/log, and is stopped with terminate → wait → kill. A server child (`ChildProcess`) may be
waited for until it answers; a job (`run_to_completion`) streams the lines worth showing while it runs, with
the elapsed time, so a long step says what it is doing and how far along it is."""

from __future__ import annotations

import codecs
import collections
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

Echo = Callable[[str], None]
# A readiness probe: None when the child is ready, else a few words on what it is still doing.
Probe = Callable[[], str | None]
# Which output lines of a job are worth echoing: (line, seconds since start) → echo it?
LineFilter = Callable[[str, float], bool]


def echo_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class ProcessError(RuntimeError):
    """A child did not start, did not become ready, or failed (the message ends with the tail of its log)."""


@dataclass(frozen=True)
class ProcessSpec:
    name: str  # what the echo lines call it: "Rasa", "rasa train", "AGV simulator"
    command: Sequence[str]
    log_file: Path
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)  # on top of this process's environment

    def environment(self) -> dict[str, str]:
        return {**os.environ, **self.env}


def log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class ChildProcess:
    """A long-running child: `start()` launches it (and, with a probe, waits until it answers), `stop()` ends it.

    >>> with ChildProcess(spec, probe=lambda: None if up() else "loading") as child: ...
    """

    def __init__(self, spec: ProcessSpec, *, probe: Probe | None = None, startup_timeout_s: float = 180.0,
                 echo: Echo = echo_stderr) -> None:
        self.spec = spec
        self._probe = probe
        self._startup_timeout_s = startup_timeout_s
        self._echo = echo
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> ChildProcess:
        if self.running:
            return self
        self.spec.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.spec.log_file.open("ab")
        self._echo(f"starting {self.spec.name} (log: {self.spec.log_file})…")
        self._proc = subprocess.Popen(list(self.spec.command), cwd=self.spec.cwd, env=self.spec.environment(),
                                      stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if self._probe is not None:
            try:
                self._wait_ready(self._probe)
            except BaseException:
                self.stop()
                raise
        return self

    def _wait_ready(self, probe: Probe) -> None:
        started = time.monotonic()
        last_note = 0.0
        state = "process starting"
        while True:
            elapsed = time.monotonic() - started
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise ProcessError(f"{self.spec.name} exited with {self._proc.returncode} while {state}\n"
                                   f"{self.log_tail()}")
            waiting = probe()
            if waiting is None:
                self._echo(f"{self.spec.name} ready after {elapsed:.0f} s")
                return
            state = waiting
            if elapsed > self._startup_timeout_s:
                raise ProcessError(f"{self.spec.name} not ready after {self._startup_timeout_s:.0f} s ({state})\n"
                                   f"{self.log_tail()}")
            if elapsed - last_note >= 10:
                self._echo(f"[{elapsed:4.0f} s] {self.spec.name}: {state}…")
                last_note = elapsed
            time.sleep(0.5)

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.spec.log_file, lines)

    def kill(self) -> None:
        """End it at once, as a crash or a pulled plug would (tests of what survives that)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self.stop()

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

    def __enter__(self) -> ChildProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def run_to_completion(spec: ProcessSpec, *, show: LineFilter, echo: Echo = echo_stderr,
                      timeout_s: float = 1800.0) -> None:
    """Run a job to its end: every output line goes to its log, the lines `show` selects are echoed with the
    elapsed time. Raises ProcessError (with the last lines) when it fails or overruns."""
    spec.log_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=40)
    with spec.log_file.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(list(spec.command), cwd=spec.cwd, env=spec.environment(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        try:
            # raw chunks, not lines: progress bars redraw themselves with \r and no newline
            while chunk := os.read(proc.stdout.fileno(), 65536):
                pending += decoder.decode(chunk)
                *lines, pending = re.split(r"[\r\n]", pending)
                for line in lines:
                    line = line.rstrip()
                    if not line:
                        continue
                    log.write(line + "\n")
                    tail.append(line)
                    elapsed = time.monotonic() - started
                    if elapsed > timeout_s:
                        raise ProcessError(f"{spec.name} exceeded {timeout_s:.0f} s")
                    if show(line, elapsed):
                        echo(f"[{elapsed:5.0f} s] {line.strip()[:160]}")
            if pending.strip():
                log.write(pending + "\n")
                tail.append(pending)
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
    if code != 0:
        raise ProcessError(f"{spec.name} failed (exit {code}) after {time.monotonic() - started:.0f} s; "
                           f"log: {spec.log_file}\n" + "\n".join(tail))
