from __future__ import annotations

from pathlib import Path

import pytest

from vision import ModelsMissing, VisionService
from vision.models import model_dirs, prepare_models


def test_prepare_is_idempotent_and_says_what_it_does(tmp_path: Path) -> None:
    lines: list[str] = []
    prepare_models(tmp_path / "ocr", lines.append, variants=("tiny",))
    assert any("written" in line for line in lines)
    dirs = model_dirs(tmp_path / "ocr", "tiny")
    assert (dirs.det_dir / "inference.onnx").stat().st_size > 1_000_000
    lines.clear()
    prepare_models(tmp_path / "ocr", lines.append, variants=("tiny",))
    assert not any("written" in line for line in lines)
    assert sum("up to date" in line for line in lines) == 4


def test_missing_models_are_a_typed_error(tmp_path: Path, vocabulary) -> None:
    with pytest.raises(FileNotFoundError):
        model_dirs(tmp_path, "small")
    with pytest.raises(ModelsMissing):
        VisionService(vocabulary, tmp_path).load()


def test_import_loads_nothing() -> None:
    import subprocess
    import sys

    code = "import sys, vision; print(*(m in sys.modules for m in ('paddleocr', 'paddlex', 'onnxruntime')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]
