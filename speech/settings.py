"""`SpeechSettings`: everything a deployment may tune in the speech package, with the only defaults.

A pydantic model so that the app nests it in its own settings (`speech`, with `vad` and `limits` inside) and
refuses a bad value at start-up with the field's name, instead of failing on the first utterance."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, DirectoryPath, Field, StringConstraints, field_validator, model_validator

from speech.audio import AudioLimits
from speech.vad import VadSettings

EngineChoice = Literal["auto", "vosk", "whisper"]
# A language code as Whisper and Vosk name them ("zh", "en", "ko"): also catches "zh,en" typed for a JSON list.
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Phrases = tuple[str, ...]
_OFF = ("", "off", "none", "null")


class SpeechSettings(BaseModel):
    """`engines` maps a language to auto/vosk/whisper (auto: Vosk where a Vosk model for the language is present,
    else Whisper)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    whisper_dir: Path | None = None    # None: whisper-base in the models folder (the app's models_dir)
    vosk_dirs: Mapping[Language, DirectoryPath] = Field(default_factory=dict)  # else an installed vosk-model-<lang>
    engines: Mapping[Language, EngineChoice] = Field(default_factory=dict)
    languages: tuple[Language, ...] = Field(default=("zh", "en"), min_length=1)
    default_language: Language = "zh"
    vosk_grammar: bool = True
    allow_download: bool = False       # vosk's own download by language; only with internet
    whisper_beam_size: int = Field(default=2, ge=1)  # 2 is the sweet spot on 2 cores: 5 costs ~2× for little gain
    whisper_threads: int = Field(default=2, ge=1)
    # The audio window Whisper's encoder sees for an utterance that fits in it: 30 s is what Whisper was trained
    # on; a shorter window encodes a short command several times faster (a choice for slow CPUs: measure it on the
    # voice dev set, `python -m bench.voice_accuracy`, before lowering it).
    whisper_window_s: float = Field(default=30.0, ge=5.0, le=30.0)
    # Closed-domain decoding (Whisper): after the free decode, sentences the site could have meant — its names
    # swapped into what was heard, command frames — are scored by Whisper's decoder against the same audio, and
    # one replaces the free decode when nearly as probable (speech.closed_domain). On by default: more commands
    # understood and fewer wrong ones taken for sure on the voice dev set, for about a sixth of a decode's time
    # (docs/accuracy.md "Closed-domain decoding"); off on a CPU where every 100 ms of a reply counts.
    closed_domain: bool = True
    # Per-token log-probability a candidate may lose against a free decode that makes no sense and still replace
    # it (0.5 was best on a separate draw of the dev set; more lets wrong names in, less changes nothing).
    closed_domain_slack: float = Field(default=0.5, ge=0)
    partial_interval_s: float | None = Field(default=1.0, gt=0)  # streaming captions; None ("off"): none
    min_confidence: float = Field(default=0.35, ge=0, le=1)
    limits: AudioLimits = Field(default_factory=AudioLimits)
    vad: VadSettings = Field(default_factory=VadSettings)
    commands: Mapping[Language, Phrases] | None = None   # extra or replacement command phrases per language
    numerals: Mapping[Language, Phrases] | None = None

    @field_validator("partial_interval_s", mode="before")
    @classmethod
    def _off(cls, value: Any) -> Any:
        """Captions cost a Whisper decode a second per stream: "off" in an environment variable turns them off."""
        return None if isinstance(value, str) and value.strip().lower() in _OFF else value

    @model_validator(mode="after")
    def _languages_served(self) -> SpeechSettings:
        # An engine or model for a language we do not serve is a typo, not a choice: say so at start-up.
        for name, keys in (("default_language", (self.default_language,)), ("engines", tuple(self.engines)),
                           ("vosk_dirs", tuple(self.vosk_dirs))):
            unknown = [k for k in keys if k not in self.languages]
            if unknown:
                raise ValueError(f"{name}: {', '.join(unknown)} not among languages {list(self.languages)}")
        return self
