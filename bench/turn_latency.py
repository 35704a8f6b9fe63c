"""Text-turn latency through the turn API, the real Rasa server, the actions and the ledger.

    .venv/bin/python -m bench.turn_latency [--rounds 30]

Starts its own stack on free loopback ports (SQLite in a temp dir), warms it up, then times a realistic mix:
a one-sentence transfer read back and cancelled, a form filled over three turns, a stock question and a
sale read back and confirmed. Prints p50/p95 per kind and overall (client-side wall time) and Rasa's share."""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import wave
from pathlib import Path

import httpx
import numpy as np

from bench.machine import cpu
from server.app import create_app
from server.launch import prepare_model, rasa_server
from server.settings import REPO_ROOT, Settings
from tests.support import free_port, issue, serve

SCRIPT: list[tuple[str, str, str]] = [
    ("HMD-01", "read-back", "调拨5件曲轴到总装线B区"),
    ("HMD-01", "cancel", "取消"),
    ("HMD-01", "form", "调拨活塞"),
    ("HMD-01", "form", "10个"),
    ("HMD-01", "form", "总装一线"),
    ("HMD-01", "cancel", "不要了"),
    ("HMD-01", "query", "连杆还有多少"),
    ("PAD-01", "read-back", "张三买两斤铁观音"),
    ("PAD-01", "confirm", "确认"),
    ("HMD-01", "read-back", "transfer five crankshafts to assembly line B"),
    ("HMD-01", "cancel", "cancel it"),
]


def _new_take(wav_path: Path, rng: np.random.Generator) -> bytes:
    """The recording with an inaudible dither (±1 of 32768): a new utterance each time, as a worker's would be, so
    nothing of the last decode can be reused."""
    with wave.open(str(wav_path), "rb") as wav:
        params, pcm = wav.getparams(), np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    dithered = np.clip(pcm.astype(np.int32) + rng.integers(-1, 2, len(pcm)), -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setparams(params)
        wav.writeframes(dithered.tobytes())
    return out.getvalue()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(f"CPU: {cpu()}")
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    app_port, rasa_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), port=app_port, secret="bench", rasa_url=f"http://127.0.0.1:{rasa_port}",
                            start_agv_sim=False)
        with serve(create_app(settings), app_port) as url, rasa_server(settings, built, model), \
                httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
            headers = {d: {"Authorization": f"Bearer {issue(settings, d)}"} for d in ("HMD-01", "PAD-01")}
            timings: dict[str, list[float]] = {}
            nlu: list[float] = []
            for round_no in range(args.rounds + 2):
                for device, kind, text in SCRIPT:
                    started = time.perf_counter()
                    response = client.post("/api/v1/turns", json={"text": text}, headers=headers[device])
                    elapsed = (time.perf_counter() - started) * 1000
                    response.raise_for_status()
                    if round_no >= 2:  # the first rounds warm up TensorFlow and the connection pools
                        timings.setdefault(kind, []).append(elapsed)
                        nlu.append(response.json()["timings_ms"]["nlu"])
            media: dict[str, list[float]] = {"note photo → draft sale": [], "3.4 s voice command → read-back": []}
            notes, voice = REPO_ROOT / "tests/fixtures/notes/nd01.png", REPO_ROOT / "tests/fixtures/voice/zh01.wav"
            rng = np.random.default_rng(5)
            for round_no in range(min(args.rounds, 12) + 1):
                for device, kind, data, field, ctype in (
                        ("PAD-01", "note photo → draft sale", notes.read_bytes(), "image", "image/png"),
                        ("HMD-01", "3.4 s voice command → read-back", _new_take(voice, rng), "audio", "audio/wav")):
                    started = time.perf_counter()
                    client.post("/api/v1/turns", files={field: (f"{field}.bin", data, ctype)},
                                headers=headers[device]).raise_for_status()
                    if round_no:
                        media[kind].append((time.perf_counter() - started) * 1000)
                    client.post("/api/v1/turns", json={"text": "取消"}, headers=headers[device])
    every = [t for values in timings.values() for t in values]
    print("| kind | turns | p50 ms | p95 ms |\n| --- | --- | --- | --- |")
    for kind, values in timings.items():
        print(f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {_pct(values, 0.95):.1f} |")
    print(f"| **all** | {len(every)} | {statistics.median(every):.1f} | {_pct(every, 0.95):.1f} |")
    print("\n| media turn (upload → reply, end to end) | turns | p50 ms | p95 ms |\n| --- | --- | --- | --- |")
    for kind, values in media.items():
        print(f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {_pct(values, 0.95):.1f} |")
    print(f"\nDialogue (Rasa parse + the reading + the exchange with its state, actions included): "
          f"p50 {statistics.median(nlu):.1f} ms, "
          f"p95 {_pct(nlu, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
