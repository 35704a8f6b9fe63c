"""Capacity of the recognition worker pool: N headsets streaming real recordings at real-time pace over /ws/headset
of an app in pool mode (FRONTLINE_RECOGNITION_URL), answered by 1, 2 and 4 `frontline recognition-worker` processes
on this machine.

    .venv/bin/python -m bench.recognition_pool [--headsets 2,4] [--workers 1,2,4] [--rounds 2] [--sessions 2]

Per utterance: end of speech (the last voiced sample of the clip, reached at real-time pace) → the final transcript
({"text"} on the socket). Per run: p50 and p95 of that, and each worker's share of the machine while the headsets
spoke (its CPU seconds over the wall time × cores: 100 % is every core busy). No Rasa runs: the turn after each
transcript ends in nlu-unavailable, which is not measured. Redis on loopback (FRONTLINE_BENCH_REDIS to point
elsewhere). Each worker count gets fresh workers, each with cores ÷ workers Whisper threads unless --threads says
otherwise (so N workers never ask for more threads than the box has cores)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis as sync_redis
from websockets.asyncio.client import connect

from assistant.logs import configure_logging
from bench.headsets import CHUNK, CHUNK_S, COMMANDS, _clip, _p
from bench.machine import cpu
from server.app import create_app
from server.settings import REPO_ROOT, Settings
from tests.support import free_port, issue, serve

REDIS_URL = os.environ.get("FRONTLINE_BENCH_REDIS", "redis://127.0.0.1:6379/0")
DEVICES = ("HMD-01", "HMD-02")


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (psutil when installed, else /proc)."""
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    except ImportError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_worker(name: str, var_dir: Path, prefix: str, sessions: int, threads: int) -> Worker:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update({"FRONTLINE_VAR_DIR": str(var_dir), "FRONTLINE_MODELS_DIR": str(REPO_ROOT / "var" / "models"),
                "FRONTLINE_RECOGNITION_URL": REDIS_URL, "FRONTLINE_RECOGNITION_PREFIX": prefix,
                "FRONTLINE_RECOGNITION__SESSIONS_PER_WORKER": str(sessions),
                "FRONTLINE_SPEECH__WHISPER_THREADS": str(threads), "PYTHONPATH": str(REPO_ROOT)})
    log = var_dir / f"{name}.log"
    process = subprocess.Popen([sys.executable, "-m", "server", "recognition-worker", "--name", name], env=env,
                               cwd=REPO_ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return Worker(name, process, log)


def _wait_ready(workers: list[Worker], prefix: str) -> None:
    client = sync_redis.Redis.from_url(REDIS_URL)
    try:
        for worker in workers:
            while not client.exists(f"{prefix}:recognition:worker:{worker.name}"):
                if worker.process.poll() is not None:
                    raise SystemExit(f"worker {worker.name} did not start:\n{worker.log.read_text()[-2000:]}")
                time.sleep(0.2)
    finally:
        client.close()


def _stop(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.process.kill()


def _forget(prefix: str) -> None:
    client = sync_redis.Redis.from_url(REDIS_URL)
    try:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    finally:
        client.close()


class Lost(Exception):
    """The socket answered an error instead of the transcript (e.g. stt-worker-lost: no worker free in time)."""


async def _speak(url: str, pcm: bytes, speech_end_s: float, language: str) -> float | None:
    """End of speech → final transcript, ms (0.2 s chunks at real time, each answered; eof if the VAD did not end
    it first); None when the utterance was given up (counted, not timed)."""
    try:
        return await _timed(url, pcm, speech_end_s, language)
    except Lost as error:
        print(f"   lost: {error}", flush=True)
        return None


async def _timed(url: str, pcm: bytes, speech_end_s: float, language: str) -> float:
    async with connect(url, open_timeout=10, max_size=None) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": 16000, "language": language}}))
        started = time.perf_counter()
        heard_at = None
        for i, start in enumerate(range(0, len(pcm), CHUNK)):
            await ws.send(pcm[start:start + CHUNK])
            message = json.loads(await ws.recv())
            if "error" in message:
                raise Lost(message["error"]["code"])
            if "text" in message:
                heard_at = time.perf_counter()
                break
            await asyncio.sleep(max(0.0, started + (i + 1) * CHUNK_S - time.perf_counter()))
        if heard_at is None:
            await ws.send(json.dumps({"eof": 1}))
            while "text" not in (message := json.loads(await ws.recv())):
                if "error" in message:
                    raise Lost(message["error"]["code"])
            heard_at = time.perf_counter()
        return (heard_at - (started + speech_end_s)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--headsets", default="2,4", help="headsets speaking at once (comma list)")
    parser.add_argument("--workers", default="1,2,4", help="recognition workers (comma list, ascending)")
    parser.add_argument("--rounds", type=int, default=2, help="times through the commands per run")
    parser.add_argument("--sessions", type=int, default=2, help="utterances per worker at once")
    parser.add_argument("--threads", type=int, default=0, help="Whisper threads per worker (0: cores ÷ workers)")
    args = parser.parse_args()
    headsets = [int(n) for n in args.headsets.split(",")]
    counts = sorted(int(n) for n in args.workers.split(","))
    clips = {name: _clip(name) for name in COMMANDS}
    cores = os.cpu_count() or 1
    prefix = f"frontline-bench-{uuid.uuid4().hex[:8]}"
    print(f"CPU: {cpu()}; Redis {REDIS_URL}, prefix {prefix}; {args.sessions} utterances per worker", flush=True)
    workers: list[Worker] = []
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        port = free_port()
        settings = Settings(var_dir=var_dir, port=port, secret="bench", start_rasa=False, start_agv_sim=False,
                            rasa_url=f"http://127.0.0.1:{free_port()}", recognition_url=REDIS_URL,
                            recognition_prefix=prefix, turns_per_second=1000, turn_burst=1000)
        try:
            app = create_app(settings)
            configure_logging(logging.WARNING)  # the app's per-turn lines would drown the progress
            logging.getLogger().setLevel(logging.WARNING)  # and the embedded broker's (stdlib logging, set up already)
            with serve(app, port) as url:
                tokens = {device: issue(settings, device) for device in DEVICES}

                def ws_url(device: str) -> str:
                    return url.replace("http://", "ws://") + f"/ws/headset?token={tokens[device]}"

                async def round_of(n: int, name: str) -> list[float | None]:
                    pcm, end = clips[name]
                    return list(await asyncio.gather(*(_speak(ws_url(DEVICES[i % 2]), pcm, end, name[:2])
                                                       for i in range(n))))

                for count in counts:
                    _stop(workers)
                    threads = args.threads or max(1, cores // count)
                    workers = [_start_worker(f"bench-w{i + 1}", var_dir, prefix, args.sessions, threads)
                               for i in range(count)]
                    print(f"-- {count} worker(s), {threads} Whisper thread(s) each: starting …", flush=True)
                    _wait_ready(workers, prefix)
                    asyncio.run(round_of(1, "zh01"))  # warm up (each new worker's first decode is slower)
                    for n in headsets:
                        before = {w.name: _cpu_seconds(w.process.pid) for w in workers}
                        started = time.perf_counter()
                        latencies: list[float] = []
                        lost = 0
                        for r in range(args.rounds):
                            for name in COMMANDS:
                                answered = asyncio.run(round_of(n, name))
                                latencies += [a for a in answered if a is not None]
                                lost += sum(a is None for a in answered)
                            if not latencies:
                                raise SystemExit("every utterance was lost: are the workers running?")
                            print(f"   {count} worker(s), {n} headsets: round {r + 1}/{args.rounds}, "
                                  f"p50 so far {statistics.median(latencies):.0f} ms", flush=True)
                        wall = time.perf_counter() - started
                        used = {w.name: _cpu_seconds(w.process.pid) - before[w.name] for w in workers}
                        shares = ", ".join(f"{name} {100 * seconds / (wall * cores):.0f} %"
                                           for name, seconds in used.items())
                        p50, p95 = statistics.median(latencies), _p(latencies, 0.95)
                        rows.append(f"| {count} | {n} | {len(latencies)} | {lost} | {p50:.0f} | {p95:.0f} | {shares} |")
                        print(rows[-1], flush=True)
        finally:
            _stop(workers)
            _forget(prefix)
    print("\n| workers | headsets at once | utterances | lost | end of speech → final p50 ms | p95 ms | "
          "each worker's share of the box |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
