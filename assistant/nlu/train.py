"""Train the NLU model once per fingerprint: `models_dir/<fingerprint>.tar.gz`."""

from __future__ import annotations

import codecs
import collections
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from assistant.nlu.build import BuiltProject

Echo = Callable[[str], None]


class TrainingError(RuntimeError):
    """`rasa train` failed; the message ends with the tail of its log."""


def rasa_env() -> dict[str, str]:
    """Environment for every Rasa subprocess: quiet TensorFlow, no telemetry, nothing fetched online."""
    env = dict(os.environ)
    env.update({
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    })
    return env


def model_path(built: BuiltProject, models_dir: Path) -> Path:
    return models_dir.resolve() / f"{built.fingerprint}.tar.gz"


def _echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


_PROGRESS = ("Epochs:", "Finished training", "Your Rasa model is trained", "Starting to train",
             "Error", "ERROR", "Traceback", "InvalidDomain", "YamlSyntaxException")
_BAR = re.compile(r"\d+it \[|\d+%\||it/s")  # tqdm progress bars: echoed at most every 10 s


def ensure_model(
    built: BuiltProject,
    models_dir: Path,
    rasa_bin: Path,
    *,
    echo: Echo = _echo,
    log_file: Path | None = None,
    timeout_s: float = 1800.0,
) -> Path:
    """Return the model for `built`, training it first if `models_dir/<fingerprint>.tar.gz` is missing.

    Progress lines of `rasa train` are passed to `echo` with the elapsed time; the full output goes to
    `log_file` (default `models_dir/train-<fingerprint>.log`). Raises `TrainingError` on failure.
    """
    target = model_path(built, models_dir)
    if target.is_file():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_file or models_dir.resolve() / f"train-{built.fingerprint[:12]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(rasa_bin), "train", "--fixed-model-name", built.fingerprint, "--out", str(models_dir.resolve()),
           "--config", "config.yml", "--domain", "domain.yml", "--data", "data"]
    echo("training the NLU model (about 2–3 minutes on 2 cores)…")
    started = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=40)
    last_bar_echo = float("-inf")
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=built.path, env=rasa_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        try:
            # read raw chunks: tqdm redraws its bar with \r and no newline
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
                        raise TrainingError(f"rasa train exceeded {timeout_s:.0f} s")
                    if not any(key in line for key in _PROGRESS):
                        continue
                    if _BAR.search(line):
                        if elapsed - last_bar_echo < 10:
                            continue
                        last_bar_echo = elapsed
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
    elapsed = time.monotonic() - started
    if code != 0 or not target.is_file():
        raise TrainingError(
            f"rasa train failed (exit {code}) after {elapsed:.0f} s; log: {log_path}\n" + "\n".join(tail)
        )
    echo(f"NLU model trained in {elapsed:.0f} s: {target}")
    return target
