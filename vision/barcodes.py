"""Barcodes and 2D codes in a photo: zxing-cpp first, one retry on an upscaled and sharpened image, then
zbar for blurred 1D codes that zxing gives up on. Every decoder checks its symbology's checksum, so a
result is either right or absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import structlog

from vision.preprocess import Image
from vision.results import Box

log = structlog.get_logger(__name__)

Decoder = Literal["zxing", "zxing-retry", "zbar"]
RETRY_MAX_SIDE = 1600
_ZBAR_FORMATS = {"EAN13": "EAN-13", "EAN8": "EAN-8", "UPCA": "UPC-A", "UPCE": "UPC-E", "CODE128": "Code 128",
                 "QRCODE": "QR Code"}


@dataclass(frozen=True, slots=True)
class Decoded:
    format: str
    text: str
    symbology: str  # ISO/IEC 15424 identifier, "]C1" = GS1-128, "]d2" = GS1 DataMatrix, "]E0" = EAN
    payload: str  # the raw content (GS1: element strings with GS separators), what GS1 parsing reads
    gs1: bool
    decoder: Decoder
    box: Box | None


def _formats() -> Any:
    import zxingcpp

    f = zxingcpp.BarcodeFormat
    return [f.EAN13, f.EAN8, f.UPCA, f.UPCE, f.Code128, f.QRCode, f.DataMatrix]


def decode_codes(image: Image) -> list[Decoded]:
    grey = image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    found = _zxing(grey, "zxing")
    if not found:
        found = _zxing(_sharpened(grey), "zxing-retry")
    if not found:
        found = _zbar(grey)
    return _unique(found)


def _zxing(grey: Image, decoder: Decoder) -> list[Decoded]:
    import zxingcpp

    out = []
    for r in zxingcpp.read_barcodes(grey, formats=_formats(), try_rotate=True, try_downscale=True, try_invert=True):
        if not r.valid:
            continue
        gs1 = r.content_type == zxingcpp.ContentType.GS1
        payload = r.bytes.decode("latin-1") if gs1 else r.text
        p = r.position
        box: Box = tuple(  # type: ignore[assignment]
            (float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        )
        out.append(Decoded(str(r.format), r.text, r.symbology_identifier, payload, gs1, decoder, box))
    if decoder == "zxing-retry":
        scale = _retry_scale(grey)
        out = [_rescale(d, 1 / scale) for d in out]
    return out


def _retry_scale(grey: Image) -> float:
    return float(max(1.0, min(2.0, RETRY_MAX_SIDE / max(grey.shape[:2]))))


def _sharpened(grey: Image) -> Image:
    """Upscaled (thin bars and small modules) and unsharp-masked (soft focus)."""
    scale = _retry_scale(grey)
    big = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else grey
    blur = cv2.GaussianBlur(big, (0, 0), 2.0)
    return np.asarray(cv2.addWeighted(big, 1.8, blur, -0.8, 0), dtype=np.uint8)


def _zbar(grey: Image) -> list[Decoded]:
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # libzbar0 missing: zbar is only a fallback
        log.warning("barcodes.zbar_unavailable")
        return []
    out = []
    for r in pyzbar.decode(grey):
        fmt = _ZBAR_FORMATS.get(r.type)
        if fmt is None:
            continue
        text = r.data.decode("utf-8", errors="replace")
        symbology = {"EAN-13": "]E0", "EAN-8": "]E4", "UPC-A": "]E0", "UPC-E": "]E0", "QR Code": "]Q1"}.get(fmt, "]C0")
        gs1 = fmt == "Code 128" and _looks_gs1(text)
        payload = text
        if gs1:
            symbology = "]C1"
        xs = [p.x for p in r.polygon] or [r.rect.left]
        ys = [p.y for p in r.polygon] or [r.rect.top]
        box: Box = ((min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys)))
        out.append(Decoded(fmt, text, symbology, payload, gs1, "zbar", box))
    return out


def _looks_gs1(text: str) -> bool:
    """zbar drops the leading FNC1 of GS1-128; a payload starting with (01) + a valid GTIN-14 is GS1."""
    if len(text) < 16 or not text[:16].isdigit() or not text.startswith("01"):
        return False
    digits = [int(c) for c in text[2:16]]
    check = (10 - sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13])) % 10) % 10
    return check == digits[13]


def _rescale(d: Decoded, factor: float) -> Decoded:
    if d.box is None:
        return d
    box: Box = tuple((x * factor, y * factor) for x, y in d.box)  # type: ignore[assignment]
    return Decoded(d.format, d.text, d.symbology, d.payload, d.gs1, d.decoder, box)


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: set[tuple[str, str]] = set()
    out = []
    for d in found:
        if (d.format, d.text) not in seen:
            seen.add((d.format, d.text))
            out.append(d)
    return out
