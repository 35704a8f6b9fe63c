"""How many AR headsets can stream at once in real time: N clients on /ws/headset, each speaking a 3.4 s command
paced at real time (0.25 s chunks every 0.25 s), then releasing push-to-talk.

    .venv/bin/python -m bench.headsets [--max 4] [--rounds 3]

Reports end of speech (eof sent) → reply latency per N. The real Rasa server and Whisper run as in production."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import wave
from pathlib import Path

from websockets.asyncio.client import connect

from assistant.auth import issue_token
from server.app import create_app
from server.launch import prepare_model, rasa_server
from server.settings import REPO_ROOT, Settings
from tests.support import free_port, serve

CHUNK = 8000  # bytes: 0.25 s of 16 kHz 16-bit mono


async def _speak(url: str, pcm: bytes) -> float:
    async with connect(url, open_timeout=10) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": 16000, "language": "zh"}}))
        for start in range(0, len(pcm), CHUNK):
            await ws.send(pcm[start:start + CHUNK])
            await asyncio.sleep(0.25)  # a person speaks in real time
        released = time.perf_counter()
        await ws.send(json.dumps({"eof": 1}))
        while "reply" not in json.loads(await ws.recv()):
            pass
        return (time.perf_counter() - released) * 1000


async def _round(app_url: str, devices: list[str], key: bytes, pcm: bytes) -> list[float]:
    urls = [app_url.replace("http://", "ws://") + f"/ws/headset?token={issue_token(key, d)}" for d in devices]
    return list(await asyncio.gather(*(_speak(url, pcm) for url in urls)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with wave.open(str(REPO_ROOT / "tests/fixtures/voice/zh01.wav"), "rb") as wav:
        pcm = wav.readframes(wav.getnframes())
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    app_port, rasa_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), port=app_port, secret="bench", start_agv_sim=False,
                            rasa_url=f"http://127.0.0.1:{rasa_port}")
        with serve(create_app(settings), app_port) as url, rasa_server(settings, built, model):
            # The demo world has two headsets; more streams reuse them (one conversation each is not needed
            # to load the recogniser, which is what this measures).
            asyncio.run(_round(url, ["HMD-01"], b"bench", pcm))  # warm up
            print("| headsets at once | utterances | end of speech → reply p50 ms | max ms |")
            print("| --- | --- | --- | --- |")
            for n in range(1, args.max + 1):
                devices = [("HMD-01", "HMD-02")[i % 2] for i in range(n)]
                latencies = [t for _ in range(args.rounds) for t in asyncio.run(_round(url, devices, b"bench", pcm))]
                print(f"| {n} | {len(latencies)} | {statistics.median(latencies):.0f} | {max(latencies):.0f} |")


if __name__ == "__main__":
    main()
