"""Typed errors of the vision package. Each carries a stable `code`; what it means to a person, and to HTTP, is
said at the edge."""

from __future__ import annotations


class VisionError(Exception):
    code: str = "vision-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImageUnsupported(VisionError):
    """Not an image, or an image format we do not read (PNG, JPEG, WebP, BMP, TIFF, GIF are read)."""

    code = "image-unsupported"


class ImageCorrupt(VisionError):
    """Looks like an image but cannot be decoded (truncated, damaged)."""

    code = "image-corrupt"


class ImageTooLarge(VisionError):
    """Too many bytes or pixels to decode safely (decompression bombs included)."""

    code = "image-too-large"


class ModelsMissing(VisionError):
    """The OCR model folders are not prepared (run `make setup`, which calls `vision.models.prepare_models`)."""

    code = "vision-models-missing"


class VisionInterrupted(VisionError):
    """The photo was read elsewhere (a worker of the pool) and no answer came in time: send it again."""

    code = "ocr-worker-lost"
