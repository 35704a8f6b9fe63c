"""What live captions cost: every clip's speech captioned as a headset stream captions it (a greedy decode of the
speech so far, once a second), the fixed 10 s encoder window of before against the window and token budget sized to
the speech (`speech.whisper_stream.caption_budget`).

    .venv/bin/python -m bench.captions [--clips DIR] [--limit 40]

Clips: the generated voice dev set (`make voice-devset`, var/devsets/voice) unless `--clips` names a folder of wav
files. Prints, per way: decode time per caption (p50, p95, max), caption decode seconds per second of speech (the
share of a core captions take while one worker speaks), and how many captions came out looping."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.machine import cpu
from server.settings import REPO_ROOT
from speech.audio import SAMPLE_RATE, decode
from speech.engine import Context
from speech.models import resolve_whisper_dir
from speech.vad import VadSettings, speech_span
from speech.whisper_engine import WhisperTranscriber
from speech.whisper_stream import caption_budget

DEVSET = REPO_ROOT / "var" / "devsets" / "voice"
EVERY_S = 1.0
Budget = Callable[[float], tuple[float, int | None]]
WAYS: dict[str, Budget] = {
    "fixed 10 s window (before)": lambda _seconds: (10.0, None),
    "sized to the speech (now)": caption_budget,
}


def _clips(folder: Path, limit: int) -> list[tuple[str, Path]]:
    found = sorted(folder.rglob("*.wav"))
    language = ["en" if "/en" in str(p) or p.name.startswith("en") else "zh" for p in found]
    return list(zip(language, found, strict=True))[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=Path, default=DEVSET)
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    clips = _clips(args.clips, args.limit)
    if not clips:
        raise SystemExit(f"no wav files under {args.clips}: run `make voice-devset` or pass --clips")
    model = resolve_whisper_dir(None)
    if model is None:
        raise SystemExit("Whisper model not prepared: run `make setup`")
    print(f"CPU: {cpu()}\nloading Whisper base …", flush=True)
    engine = WhisperTranscriber(model, threads=2)
    speech = []
    for language, path in clips:
        audio = decode(path.read_bytes())
        span = speech_span(audio, VadSettings())
        if span is not None:
            speech.append((language, audio[span[0]:span[1]]))
    spoken_s = sum(len(a) for _, a in speech) / SAMPLE_RATE
    print(f"{len(speech)} clips, {spoken_s:.0f} s of speech, a caption every {EVERY_S:.0f} s of it", flush=True)
    for name, budget in WAYS.items():
        times: list[float] = []
        looped = 0
        for n, (language, audio) in enumerate(speech, 1):
            context = Context(language)
            for end in range(int(EVERY_S * SAMPLE_RATE), len(audio) + 1, int(EVERY_S * SAMPLE_RATE)):
                window_s, tokens = budget(end / SAMPLE_RATE)
                engine.encoder.clear()  # each caption is new audio: nothing to reuse
                started = time.perf_counter()
                result = engine.recognize(audio[:end], context, beam_size=1, window_s=window_s,
                                          max_new_tokens=tokens)
                times.append(time.perf_counter() - started)
                looped += result.confidence == 0 and bool(result.text)
            print(f"  {name}: {n}/{len(speech)} clips", end="\r", flush=True)
        ordered = sorted(times)
        print(f"{name:28s} captions {len(times):4d}  p50 {statistics.median(times) * 1000:5.0f} ms  "
              f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:5.0f} ms  max {ordered[-1] * 1000:5.0f} ms  "
              f"core-s per speech-s {sum(times) / spoken_s:.2f}  looping {looped}", flush=True)


if __name__ == "__main__":
    main()
