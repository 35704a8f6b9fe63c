"""Labels from zxing-cpp's writer, photographed badly at random (fixed seed): decoded, never wrong; and what the
decoded codes name in the world (`assistant.language.codes`)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from assistant.language.codes import CodeMatcher, ScannedCode
from assistant.language.resolve import Resolver
from assistant.world.schema import World
from tests.vision.synth import SPECS, LabelSpec, photo, render
from vision import VisionService
from vision.barcodes import decode_codes
from vision.imageio import decode_image

PHOTOS_PER_FORMAT = 20


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_decoded_in_95_percent_never_wrong(spec: LabelSpec) -> None:
    rng = np.random.default_rng(SPECS.index(spec) + 11)
    base = render(spec)
    right = wrong = 0
    for _ in range(PHOTOS_PER_FORMAT):
        image, _ = decode_image(photo(base, rng), "image/jpeg")
        texts = [d.text for d in decode_codes(image)]
        right += spec.expected_text in texts
        wrong += sum(1 for t in texts if t != spec.expected_text)
    print(f"\n{spec.name}: {right}/{PHOTOS_PER_FORMAT}")
    assert wrong == 0
    assert right >= 0.95 * PHOTOS_PER_FORMAT


def _png(spec: LabelSpec) -> bytes:
    import cv2

    ok, buffer = cv2.imencode(".png", render(spec))
    assert ok
    return buffer.tobytes()


@pytest.fixture(scope="module")
def matcher(world: World, resolver: Resolver) -> CodeMatcher:
    return CodeMatcher(world, resolver)


def _scanned(service: VisionService, matcher: CodeMatcher, spec: LabelSpec) -> ScannedCode:
    (code,) = service.read_sync(_png(spec), "image/png").codes
    return matcher.scanned(code)


def test_gs1_128_fields_and_item(service: VisionService, matcher: CodeMatcher) -> None:
    code = _scanned(service, matcher, SPECS[3])
    assert code.format == "Code 128" and code.gs1 is not None
    assert code.gs1.gtin == "06931234500841"
    assert code.gs1.lot == "LJ2406"
    assert code.gs1.expiry == date(2027, 6, 30)
    assert code.gs1.count == 12
    assert code.match.kind == "item" and code.match.code == "TEA-LJ"


def test_gs1_datamatrix_serial(service: VisionService, matcher: CodeMatcher) -> None:
    code = _scanned(service, matcher, SPECS[5])
    assert code.gs1 is not None and code.gs1.serial == "SN000123" and code.gs1.expiry == date(2026, 12, 31)
    assert code.match.code == "TEA-TGY"


def test_ean13_is_an_item(service: VisionService, matcher: CodeMatcher) -> None:
    code = _scanned(service, matcher, SPECS[0])
    assert code.gs1 is not None and code.gs1.gtin == "06931234500773"
    assert code.match.kind == "item" and code.match.code == "TEA-TGY"


@pytest.mark.parametrize("index", [2, 4])
def test_location_labels(service: VisionService, matcher: CodeMatcher, index: int) -> None:
    code = _scanned(service, matcher, SPECS[index])
    assert code.match.kind == "location"
    assert code.match.code == SPECS[index].expected_text
    assert code.gs1 is None


def test_unknown_gtin_offers_closest_item(service: VisionService, matcher: CodeMatcher) -> None:
    import zxingcpp

    spec = LabelSpec("unknown", zxingcpp.BarcodeFormat.EAN13, "6931234500780", "6931234500780")  # 773 → 780
    code = _scanned(service, matcher, spec)
    assert code.text == "6931234500780"
    assert code.match.kind == "none"
    assert code.match.suggestions and code.match.suggestions[0] == "TEA-TGY"


def test_unknown_location_text(service: VisionService, matcher: CodeMatcher) -> None:
    import zxingcpp

    spec = LabelSpec("unknown-loc", zxingcpp.BarcodeFormat.QRCode, "Z-99", "Z-99")
    code = _scanned(service, matcher, spec)
    assert code.match.kind == "none"
