"""The voice dev set's audio: every generated sentence spoken once by a varied espeak-ng voice, plus copies with
noise at two SNRs, cached under var/devsets/voice/ (not committed; made again on demand, the same every time).

    .venv/bin/python -m bench.devsets.voice_clips [--per-language 250] [--seed 20261130]

A clip's file name carries a hash of everything it is made from (generator version, espeak-ng version, text,
voice, noise), so a change to any of them makes that clip again and an unchanged clip is never redone.
var/devsets/voice/manifest.json lists the sentences and clips for a person to read; the benchmark does not need it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import wave
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.world.loader import load_world
from assistant.world.schema import World
from bench.devsets.speak import (
    ENGLISH,
    MANDARIN,
    NOISE_KINDS,
    VARIANTS,
    NoiseKind,
    Voice,
    add_noise,
    espeak_version,
    speak,
    spoken_form,
    write_wav,
)
from bench.devsets.voice import PER_LANGUAGE, SEED, VoiceCase, generate

ROOT = Path(__file__).resolve().parents[2] / "var" / "devsets" / "voice"
VERSION = 1  # bump when the way clips are made changes in a way the recipe does not show
SNRS = (20, 10)  # dB: a noisy hall, and a loud machine next to the speaker
# espeak-ng's Mandarin is hard for Whisper at its usual pace: slower rates keep the set useful (see speak.py).
_SPEEDS = {"zh": (95, 105, 115, 125, 135, 145), "en": (120, 135, 150, 165, 180)}


@dataclass(frozen=True, slots=True)
class Clip:
    id: str  # case id and condition: "zh0042_clean", "zh0042_pink20"
    case: VoiceCase
    noise: NoiseKind | None
    snr_db: int | None
    voice: Voice
    path: Path

    @property
    def condition(self) -> str:
        """"clean", or the SNR ("20dB"): what the benchmark groups by."""
        return "clean" if self.snr_db is None else f"{self.snr_db}dB"


def plan(cases: Sequence[VoiceCase], root: Path = ROOT, seed: int = SEED) -> tuple[Clip, ...]:
    """The clips of these sentences: voices and noise drawn per sentence from `seed`, files named by recipe."""
    clips: list[Clip] = []
    for case in cases:
        index = int(case.id[len(case.lang):])  # the sentence's number, so a subset gets the same noise as the set
        voice = _voice(case, random.Random(f"{seed}:voice:{case.id}"))
        conditions: list[tuple[NoiseKind | None, int | None]] = [(None, None)]
        # The noise kind rotates over sentences and levels, so each kind meets each SNR and each language.
        conditions += [(NOISE_KINDS[(index + j) % len(NOISE_KINDS)], snr) for j, snr in enumerate(SNRS)]
        for noise, snr in conditions:
            clip_id = f"{case.id}_{'clean' if noise is None else f'{noise}{snr}'}"
            recipe = json.dumps([VERSION, espeak_version(), case.lang, spoken_form(case.text, case.lang),
                                 asdict(voice), noise, snr, _noise_seed(seed, clip_id)], ensure_ascii=False)
            digest = hashlib.sha256(recipe.encode()).hexdigest()[:10]
            clips.append(Clip(clip_id, case, noise, snr, voice, root / "clips" / f"{clip_id}-{digest}.wav"))
    return tuple(clips)


def build(world: World | None = None, root: Path = ROOT, seed: int = SEED, per_language: int = PER_LANGUAGE,
          echo: Callable[[str], None] = print) -> tuple[Clip, ...]:
    """Every clip of the dev set on disk (made where missing), saying how far it got."""
    clips = plan(generate(world or load_world(), seed, per_language), root, seed)
    synthesize(clips, seed, echo)
    _write_manifest(root, clips)
    return clips


def synthesize(clips: Sequence[Clip], seed: int = SEED, echo: Callable[[str], None] = print) -> None:
    """Make the clips whose files are missing: each sentence spoken once, its noisy copies made from that."""
    missing = [c for c in clips if not c.path.exists()]
    todo = list(dict.fromkeys(c.case.id for c in missing))
    if todo:
        echo(f"voice dev set: synthesizing {len(missing)} of {len(clips)} clips ({len(todo)} sentences) "
             f"with {espeak_version()}")
    for done, case_id in enumerate(todo, 1):
        own = [c for c in missing if c.case.id == case_id]
        clean = speak(own[0].case.text, own[0].case.lang, own[0].voice)
        for clip in own:
            samples = clean if clip.noise is None or clip.snr_db is None else add_noise(
                clean, clip.noise, clip.snr_db, _noise_seed(seed, clip.id))
            write_wav(clip.path, samples)
        if done % 25 == 0 or done == len(todo):
            echo(f"  {done}/{len(todo)} sentences synthesized")


def _voice(case: VoiceCase, rng: random.Random) -> Voice:
    name = MANDARIN if case.lang == "zh" else rng.choice(ENGLISH)
    return Voice(name, rng.choice(VARIANTS), rng.choice(_SPEEDS[case.lang]), rng.randint(25, 75),
                 round(rng.uniform(0.3, 0.9), 2), round(rng.uniform(0.15, 0.5), 2), round(rng.uniform(0.2, 0.6), 2))


def _noise_seed(seed: int, clip_id: str) -> int:
    """A seed per clip that does not depend on Python's string hashing (randomised per process)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{clip_id}".encode()).digest()[:8], "little")


def _write_manifest(root: Path, clips: Sequence[Clip]) -> None:
    """Sentences and clips for a person to read; clips of an older recipe are removed."""
    keep = {c.path.name for c in clips}
    for old in (root / "clips").glob("*.wav"):
        if old.name not in keep:
            old.unlink()
    rows = [{**c.case.to_json(), "clip": c.id, "file": str(c.path.relative_to(root)), "noise": c.noise,
             "snr_db": c.snr_db, "voice": asdict(c.voice)} for c in clips]
    (root / "manifest.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def duration_s(clip: Clip) -> float:
    with wave.open(str(clip.path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-language", type=int, default=PER_LANGUAGE, help="sentences per language")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--root", type=Path, default=ROOT, help="where the clips are cached")
    args = parser.parse_args()
    clips = build(root=args.root, seed=args.seed, per_language=args.per_language)
    minutes = sum(duration_s(c) for c in clips) / 60
    print(f"voice dev set: {len(clips)} clips, {minutes:.1f} min of audio, in {args.root}")


if __name__ == "__main__":
    main()
