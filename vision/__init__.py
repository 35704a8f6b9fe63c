"""Handwritten notes, labels and barcodes → text and codes for the turn pipeline.

    service = VisionService(world, models_dir)     # cheap; models load on `await service.start()`
    result = await service.read(image_bytes, content_type)

Errors are `VisionError` subclasses with `code` and `http_status`. Nothing heavy is imported here.
"""

from vision.errors import ImageCorrupt, ImageTooLarge, ImageUnsupported, ModelsMissing, VisionError
from vision.results import CodeMatch, CodeReading, FieldReading, Gs1Fields, OcrLine, VisionResult
from vision.service import VisionService

__all__ = [
    "CodeMatch",
    "CodeReading",
    "FieldReading",
    "Gs1Fields",
    "ImageCorrupt",
    "ImageTooLarge",
    "ImageUnsupported",
    "ModelsMissing",
    "OcrLine",
    "VisionError",
    "VisionResult",
    "VisionService",
]
