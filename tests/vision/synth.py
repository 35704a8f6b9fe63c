"""Synthetic labels for the barcode tests and `bench.vision_latency`: zxing-cpp's writer, then what a phone camera
does to them. Test data, not part of the installed `vision` package.

Blur is kept at or below 0.4 module (sigma 1.2 px on 3 px modules): past that, long GS1-128 codes fail
about 8 % of the time with every decoder we have (measured: 166/180 at sigma 1.4).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from PIL import Image as PILImage

from vision.preprocess import Image


@dataclass(frozen=True)
class LabelSpec:
    name: str
    format: zxingcpp.BarcodeFormat
    content: str
    expected_text: str
    gs1: bool = False


SPECS = [
    LabelSpec("ean13", zxingcpp.BarcodeFormat.EAN13, "6931234500773", "6931234500773"),
    LabelSpec("upca", zxingcpp.BarcodeFormat.UPCA, "012345678905", "0012345678905"),
    LabelSpec("code128-location", zxingcpp.BarcodeFormat.Code128, "B-03", "B-03"),
    LabelSpec(
        "gs1-128", zxingcpp.BarcodeFormat.Code128, "(01)06931234500841(10)LJ2406(17)270630(37)12",
        "(01)06931234500841(10)LJ2406(17)270630(37)12", gs1=True,
    ),
    LabelSpec("qr-location", zxingcpp.BarcodeFormat.QRCode, "DOCK-2", "DOCK-2"),
    LabelSpec(
        "datamatrix-gs1", zxingcpp.BarcodeFormat.DataMatrix, "(01)06931234500773(17)261231(21)SN000123",
        "(01)06931234500773(17)261231(21)SN000123", gs1=True,
    ),
]


def render(spec: LabelSpec) -> Image:
    """The code on a white label with a margin, on a grey desk. Modules of 3 px for 1D codes and 6 px for 2D
    codes: a label photographed from 20-30 cm with a phone."""
    scale = 6 if spec.format in (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.DataMatrix) else 3
    options = {"gs1": True} if spec.gs1 else {}
    barcode = zxingcpp.create_barcode(spec.content, spec.format, **options)
    code = np.array(zxingcpp.write_barcode_to_image(barcode, scale=scale), dtype=np.uint8)
    if code.shape[0] < 60:  # 1D codes come out short; make them label-height
        code = np.asarray(cv2.resize(code, (code.shape[1], 90), interpolation=cv2.INTER_NEAREST), dtype=np.uint8)
    label = cv2.copyMakeBorder(code, 30, 30, 30, 30, cv2.BORDER_CONSTANT, value=(255,))
    return np.asarray(cv2.copyMakeBorder(label, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=(120,)), dtype=np.uint8)


def photo(grey: Image, rng: np.random.Generator) -> bytes:
    """Rotation, perspective, blur, low contrast, noise and JPEG compression, drawn at random."""
    h, w = grey.shape
    angle = float(rng.uniform(-25, 25)) + float(rng.choice([0, 0, 90, 180, 270]))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    img = np.asarray(cv2.warpAffine(grey, matrix, (nw, nh), borderValue=(120,)), dtype=np.uint8)
    # Perspective: pull the corners in by up to 8 % (a phone held at an angle).
    src = np.array([[0, 0], [nw, 0], [nw, nh], [0, nh]], dtype=np.float32)
    jitter = rng.uniform(0, 0.08, size=(4, 2)) * np.array([nw, nh])
    dst = np.asarray(src + jitter * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]]), dtype=np.float32)
    warp = cv2.getPerspectiveTransform(src, dst)
    img = np.asarray(cv2.warpPerspective(img, warp, (nw, nh), borderValue=(120,)), dtype=np.uint8)
    sigma = float(rng.uniform(0.3, 1.2))
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), sigma), dtype=np.uint8)
    low, high = float(rng.uniform(40, 100)), float(rng.uniform(170, 230))  # washed-out print, dim light
    shot = (img.astype(np.float32) / 255.0 * (high - low) + low + rng.normal(0, 4, img.shape)).clip(0, 255)
    buffer = io.BytesIO()
    PILImage.fromarray(shot.astype(np.uint8)).save(buffer, format="JPEG", quality=int(rng.integers(35, 80)))
    return buffer.getvalue()
