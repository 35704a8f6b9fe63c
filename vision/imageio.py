"""Bytes from the client → a BGR array, safely: typed errors for what is not a usable image, decompression
bombs refused before decoding, huge images downscaled to what OCR and barcode reading need."""

from __future__ import annotations

import contextlib
import io
import warnings

import cv2
import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from vision.errors import ImageCorrupt, ImageTooLarge, ImageUnsupported
from vision.preprocess import Image

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48 MP phone photo is refused, 12-24 MP is fine
WORK_MAX_SIDE = 2560  # larger images are downscaled before any work (notes and labels stay readable)
FORMATS = {"PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF", "MPO"}
CONTENT_TYPES = {
    "image/png", "image/jpeg", "image/jpg", "image/webp", "image/bmp", "image/tiff", "image/gif",
    "application/octet-stream",  # clients that do not know; the bytes decide
}


def decode_image(data: bytes, content_type: str | None = None) -> tuple[Image, float]:
    """Decode client bytes to BGR uint8 (EXIF rotation applied, alpha flattened on white) and the scale
    applied to fit WORK_MAX_SIDE (1.0 if none): divide box coordinates by it to get the upload's pixels."""
    if content_type is not None:
        base = content_type.split(";")[0].strip().lower()
        if base and base not in CONTENT_TYPES:
            raise ImageUnsupported(f"content type {base!r} is not an image type we read")
    if not data:
        raise ImageUnsupported("empty upload")
    if len(data) > MAX_BYTES:
        raise ImageTooLarge(f"{len(data)} bytes (at most {MAX_BYTES})")
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and 2x; treat the warning zone as an error too.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            pil = _open(data)
            rgb = _to_rgb(pil)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise ImageTooLarge(str(exc)) from exc
    array = np.asarray(rgb, dtype=np.uint8)
    bgr = np.ascontiguousarray(array[:, :, ::-1])
    return _fit(bgr)


def _open(data: bytes) -> PILImage.Image:
    PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS  # checked from the header, before pixels are decoded
    try:
        pil = PILImage.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise ImageUnsupported("not an image (or a format we do not read)") from exc
    if pil.format not in FORMATS:
        raise ImageUnsupported(f"image format {pil.format} is not read")
    if pil.width * pil.height > MAX_PIXELS:
        raise ImageTooLarge(f"{pil.width}x{pil.height} pixels (at most {MAX_PIXELS})")
    try:
        pil.load()
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or damaged data
        raise ImageCorrupt(f"cannot decode the {pil.format} image: {exc}") from exc
    return pil


def _to_rgb(pil: PILImage.Image) -> PILImage.Image:
    with contextlib.suppress(Exception):  # a damaged EXIF block should not lose the picture
        pil = ImageOps.exif_transpose(pil) or pil  # phone photos are stored sideways with an EXIF flag
    if pil.mode in ("RGBA", "LA", "PA") or (pil.mode == "P" and "transparency" in pil.info):
        rgba = pil.convert("RGBA")
        white = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        return PILImage.alpha_composite(white, rgba).convert("RGB")
    return pil.convert("RGB")


def _fit(bgr: Image) -> tuple[Image, float]:
    h, w = bgr.shape[:2]
    if max(h, w) <= WORK_MAX_SIDE:
        return bgr, 1.0
    scale = WORK_MAX_SIDE / max(h, w)
    small = cv2.resize(bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8), scale
