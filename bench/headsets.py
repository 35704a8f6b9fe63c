"""Headsets streaming commands in real time over /ws/headset, as a worker speaks: 0.2 s chunks paced at real time
(each answered, as vosk-server answers), then push-to-talk released.

    .venv/bin/python -m bench.headsets [--max 3] [--rounds 2] [--captions 1.0|off]

Per command: end of speech (the last voiced sample of the clip, found by the VAD, reached at real-time pace) →
reply, and release (eof) → reply. Commands: the fixtures' spoken commands (zh and en, transfers and questions).
N headsets speak at once to measure how the decodes share two cores. Prints the CPU it ran on: CTranslate2's int8
kernels are much slower on an AVX2-only CPU than with AVX-512/VNNI (`ONEDNN_MAX_CPU_ISA=AVX2` emulates that here)."""

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

from bench.machine import cpu
from server.app import create_app
from server.launch import prepare_model, rasa_server
from server.settings import REPO_ROOT, Settings
from speech.audio import SAMPLE_RATE, decode
from speech.vad import VadSettings, speech_span
from tests.support import free_port, issue, serve

CHUNK_S = 0.2
CHUNK = int(SAMPLE_RATE * CHUNK_S) * 2  # bytes of 16-bit mono
VOICE = REPO_ROOT / "tests" / "fixtures" / "voice"
COMMANDS = ("zh01", "zh03", "zh04", "zh02", "en01", "en02")  # transfers and a stock question, both languages


def _clip(name: str) -> tuple[bytes, float]:
    """The recording's PCM and where its speech ends (seconds)."""
    data = (VOICE / f"{name}.wav").read_bytes()
    with wave.open(str(VOICE / f"{name}.wav"), "rb") as wav:
        pcm = wav.readframes(wav.getnframes())
    span = speech_span(decode(data), VadSettings(pad_s=0.0))
    assert span is not None, name
    return pcm, span[1] / SAMPLE_RATE


async def _speak(url: str, pcm: bytes, speech_end_s: float, language: str) -> tuple[float, float, float]:
    """(end of speech → reply, release → reply, end of speech → transcript) in ms."""
    async with connect(url, open_timeout=10, max_size=None) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": 16000, "language": language}}))
        started = time.perf_counter()
        reply_at = heard_at = None
        for i, start in enumerate(range(0, len(pcm), CHUNK)):
            await ws.send(pcm[start:start + CHUNK])
            message = json.loads(await ws.recv())  # one answer per frame
            if "text" in message:  # the VAD ended the utterance before the release: its reply follows
                heard_at = time.perf_counter()
                while "reply" not in message:
                    message = json.loads(await ws.recv())
                reply_at = time.perf_counter()
                break
            await asyncio.sleep(max(0.0, started + (i + 1) * CHUNK_S - time.perf_counter()))  # real time
        released = time.perf_counter()
        if reply_at is None:
            await ws.send(json.dumps({"eof": 1}))
            while "reply" not in (message := json.loads(await ws.recv())):
                if "text" in message:
                    heard_at = time.perf_counter()
            reply_at = time.perf_counter()
        speech_ended = started + speech_end_s
        return ((reply_at - speech_ended) * 1000, (reply_at - released) * 1000,
                ((heard_at or reply_at) - speech_ended) * 1000)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--captions", default="1.0", help="seconds between captions, or off")
    parser.add_argument("--window", type=float, default=30.0, help="Whisper's encoder window, seconds")
    args = parser.parse_args()
    clips = {name: _clip(name) for name in COMMANDS}
    built, model = prepare_model(Settings(var_dir=REPO_ROOT / "var"))
    app_port, rasa_port = free_port(), free_port()
    print(f"CPU: {cpu()}; captions every {args.captions} s; Whisper window {args.window:g} s")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), port=app_port, secret="bench", start_agv_sim=False,
                            rasa_url=f"http://127.0.0.1:{rasa_port}",
                            speech={"partial_interval_s": None if args.captions == "off" else float(args.captions),
                                    "whisper_window_s": args.window})
        with serve(create_app(settings), app_port) as url, rasa_server(settings, built, model):
            tokens = {device: issue(settings, device) for device in ("HMD-01", "HMD-02")}

            def ws_url(device: str) -> str:
                return url.replace("http://", "ws://") + f"/ws/headset?token={tokens[device]}"

            async def round_of(n: int, name: str) -> list[tuple[float, float, float]]:
                pcm, end = clips[name]
                devices = [("HMD-01", "HMD-02")[i % 2] for i in range(n)]
                return list(await asyncio.gather(*(_speak(ws_url(d), pcm, end, name[:2]) for d in devices)))

            asyncio.run(round_of(1, "zh01"))  # warm up
            print("| headsets at once | utterances | end of speech → reply p50 ms | p95 ms "
                  "| of which transcript p50 ms | release → reply p50 ms |")
            print("| --- | --- | --- | --- | --- | --- |")
            for n in range(1, args.max + 1):
                results = [r for _ in range(args.rounds) for name in COMMANDS for r in asyncio.run(round_of(n, name))]
                speech = [r[0] for r in results]
                release = [r[1] for r in results]
                heard = [r[2] for r in results]
                print(f"| {n} | {len(results)} | {statistics.median(speech):.0f} | {_p(speech, 0.95):.0f} | "
                      f"{statistics.median(heard):.0f} | {statistics.median(release):.0f} |")


if __name__ == "__main__":
    main()
