"""Barcodes and 2D codes in a photo: zxing-cpp first, one retry on an upscaled and sharpened image, then
zbar for blurred 1D codes that zxing gives up on. Every decoder checks its symbology's checksum, so a
result is either right or absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
import structlog

from vision.preprocess import Image
from vision.results import Box

log = structlog.get_logger(__name__)

Decoder = Literal["zxing", "zxing-retry", "zbar"]
RETRY_MAX_SIDE = 1600
RETAIL = {"EAN-13", "EAN-8", "UPC-A", "UPC-E"}
ZBAR_MIN_QUALITY = 20  # weaker zbar reads of blurred bars were wrong in our photo tests
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
    quality: int = 0  # zbar's count of agreeing scan lines; 0 for zxing


def _formats() -> Any:
    import zxingcpp

    f = zxingcpp.BarcodeFormat
    return [f.EAN13, f.EAN8, f.UPCA, f.UPCE, f.Code128, f.QRCode, f.DataMatrix]


def decode_codes(image: Image) -> list[Decoded]:
    grey = image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    reads = _zxing(grey, "zxing")
    retry: _Retry | None = None
    if not reads:
        retry = _retry_image(grey)
        reads = retry.reads or _zbar(grey) or _zbar(retry.image, retry.back)
    if any(d.format in RETAIL for d in reads):
        # EAN/UPC carry one mod-10 check digit, and a blurred photo can pass it with a wrong number: a retail
        # number needs two reads that agree (zxing and zbar, each on the photo and on the sharpened retry
        # image) and more of them than any other number.
        retry = retry or _retry_image(grey)
        every = _zxing(grey, "zxing") + retry.reads + _zbar(grey) + _zbar(retry.image, retry.back)
        reads = [d for d in reads if d.format not in RETAIL] + _confirmed_retail(every)
    return _unique(reads)


def _confirmed_retail(reads: list[Decoded]) -> list[Decoded]:
    votes: dict[str, list[Decoded]] = {}
    for d in reads:
        if d.format in RETAIL:
            votes.setdefault(d.text.zfill(13), []).append(d)
    ranked = sorted(votes.values(), key=len, reverse=True)
    if not ranked or len(ranked[0]) < 2 or (len(ranked) > 1 and len(ranked[1]) == len(ranked[0])):
        log.info("barcodes.retail_unconfirmed", reads={text: len(ds) for text, ds in votes.items()})
        return []
    return [ranked[0][0]]


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
    return out


@dataclass(frozen=True, slots=True)
class _Retry:
    image: Image
    back: npt.NDArray[np.float64]  # retry pixel → photo pixel
    reads: list[Decoded]


def _retry_image(grey: Image) -> _Retry:
    """The retry: an upscaled, sharpened image; if the stripes are tilted, also the photo with the bars
    turned upright, plain and sharpened. The first that reads wins; boxes are mapped back to the photo."""
    scale = _retry_scale(grey)
    unscale = np.linalg.inv(np.diag([scale, scale, 1.0]))
    candidates: list[tuple[Image, npt.NDArray[np.float64]]] = [(_sharpened(grey, scale), unscale)]
    upright, turn = _bars_upright(grey)
    if upright is not grey:
        back = np.asarray(np.linalg.inv(turn), dtype=np.float64)
        up_scale = _retry_scale(upright)
        candidates += [
            (upright, back),
            (_sharpened(upright, up_scale), np.asarray(back @ np.linalg.inv(np.diag([up_scale, up_scale, 1.0])))),
        ]
    for image, back in candidates:
        reads = _zxing(image, "zxing-retry")
        if reads:
            return _Retry(image, back, [_mapped(d, back) for d in reads])
    image, back = candidates[-1]
    return _Retry(image, back, [])


def _bars_upright(grey: Image) -> tuple[Image, npt.NDArray[np.float64]]:
    """Rotate so the dominant stripes are vertical: a row scanner reads a long 1D code only when a
    scan line crosses every bar, which fails past about 10 degrees of tilt for GS1-128 labels."""
    shrink = min(1.0, 800 / max(grey.shape))
    small = cv2.resize(grey, None, fx=shrink, fy=shrink) if shrink < 1 else grey
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    # Structure tensor: the mean doubled-angle gradient direction (sign-free, so dark→light and light→dark agree).
    theta = 0.5 * float(np.arctan2(2 * float((gx * gy).sum()), float((gx * gx - gy * gy).sum())))
    angle = float(np.degrees(theta))
    if abs(angle) < 3 or abs(abs(angle) - 90) < 3:
        return grey, np.eye(3)
    h, w = grey.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    rotated = cv2.warpAffine(grey, matrix, (nw, nh), borderValue=(int(np.median(grey)),))
    return np.asarray(rotated, dtype=np.uint8), np.vstack([matrix, [0.0, 0.0, 1.0]])


def _retry_scale(grey: Image) -> float:
    return float(max(1.0, min(2.0, RETRY_MAX_SIDE / max(grey.shape[:2]))))


def _sharpened(grey: Image, scale: float) -> Image:
    """Upscaled (thin bars and small modules) and unsharp-masked (soft focus)."""
    big = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else grey
    blur = cv2.GaussianBlur(big, (0, 0), 2.0)
    return np.asarray(cv2.addWeighted(big, 1.8, blur, -0.8, 0), dtype=np.uint8)


def _zbar(grey: Image, back: npt.NDArray[np.float64] | None = None) -> list[Decoded]:
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # libzbar0 missing: zbar is only a fallback
        log.warning("barcodes.zbar_unavailable")
        return []
    out = []
    for r in pyzbar.decode(grey):
        fmt = _ZBAR_FORMATS.get(r.type)
        if fmt is None or r.quality < ZBAR_MIN_QUALITY:
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
        out.append(Decoded(fmt, text, symbology, payload, gs1, "zbar", box, int(r.quality)))
    return out if back is None else [_mapped(d, back) for d in out]


def _looks_gs1(text: str) -> bool:
    """zbar drops the leading FNC1 of GS1-128; a payload starting with (01) + a valid GTIN-14 is GS1."""
    if len(text) < 16 or not text[:16].isdigit() or not text.startswith("01"):
        return False
    digits = [int(c) for c in text[2:16]]
    check = (10 - sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13])) % 10) % 10
    return check == digits[13]


def _mapped(d: Decoded, matrix: npt.NDArray[np.float64]) -> Decoded:
    if d.box is None:
        return d
    points = np.hstack([np.array(d.box), np.ones((4, 1))]) @ matrix.T
    box: Box = tuple((float(x / z), float(y / z)) for x, y, z in points)  # type: ignore[assignment]
    return Decoded(d.format, d.text, d.symbology, d.payload, d.gs1, d.decoder, box, d.quality)


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: set[tuple[str, str]] = set()
    out = []
    for d in found:
        if (d.format, d.text) not in seen:
            seen.add((d.format, d.text))
            out.append(d)
    return out
