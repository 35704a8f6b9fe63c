"""Handwritten notes, labels and barcodes → text and codes for the turn pipeline.

    service = VisionService(names, models_dir)     # cheap; models load on `await service.start()`
    result = await service.read(image_bytes, content_type)

`names` is anything with the master data's names (`vision.correct.Names`); vision imports nothing of the
assistant. Errors are `VisionError` subclasses with a `code`. Nothing heavy is imported here.
"""

from vision.correct import Names
from vision.errors import ImageCorrupt, ImageTooLarge, ImageUnsupported, ModelsMissing, VisionError, VisionInterrupted
from vision.reader import PhotoReader
from vision.results import CodeReading, Gs1Fields, OcrLine, VisionResult
from vision.service import VisionService

__all__ = [
    "CodeReading",
    "Gs1Fields",
    "ImageCorrupt",
    "ImageTooLarge",
    "ImageUnsupported",
    "ModelsMissing",
    "Names",
    "OcrLine",
    "PhotoReader",
    "VisionError",
    "VisionInterrupted",
    "VisionResult",
    "VisionService",
]
