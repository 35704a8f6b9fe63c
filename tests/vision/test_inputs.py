"""What clients send that is not a usable picture: typed errors, never a crash; blank pictures read as empty."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from vision import ImageCorrupt, ImageTooLarge, ImageUnsupported, VisionService
from vision.imageio import WORK_MAX_SIDE, decode_image


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of huge dimensions that compresses to a few kilobytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


async def test_text_is_unsupported(service: VisionService) -> None:
    with pytest.raises(ImageUnsupported) as err:
        await service.read(b"hello, this is not a picture", "image/png")
    assert err.value.code == "image-unsupported"


async def test_wrong_content_type_is_unsupported(service: VisionService) -> None:
    with pytest.raises(ImageUnsupported):
        await service.read(_png(np.zeros((10, 10), np.uint8)), "application/pdf")


async def test_empty_upload_is_unsupported(service: VisionService) -> None:
    with pytest.raises(ImageUnsupported):
        await service.read(b"", None)


async def test_truncated_png_is_corrupt(service: VisionService) -> None:
    data = _png((np.random.default_rng(1).random((200, 200)) * 255).astype(np.uint8))
    with pytest.raises(ImageCorrupt) as err:
        await service.read(data[: len(data) // 2], "image/png")
    assert err.value.code == "image-corrupt"


async def test_decompression_bomb_is_refused(service: VisionService) -> None:
    data = _bomb_png(30_000, 30_000)  # 900 MP in a few hundred kilobytes
    assert len(data) < 2_000_000
    with pytest.raises(ImageTooLarge) as err:
        await service.read(data, "image/png")
    assert err.value.code == "image-too-large"


def test_too_many_bytes_is_refused() -> None:
    with pytest.raises(ImageTooLarge):
        decode_image(b"\x89PNG" + b"\x00" * (21 * 1024 * 1024), "image/png")


def test_huge_photo_is_downscaled() -> None:
    image, scale = decode_image(_png(np.full((3000, 5000, 3), 200, np.uint8)), "image/png")
    assert max(image.shape[:2]) == WORK_MAX_SIDE
    assert scale == pytest.approx(WORK_MAX_SIDE / 5000)


def test_alpha_and_grey_are_read() -> None:
    rgba = np.zeros((20, 30, 4), np.uint8)
    image, _ = decode_image(_png(rgba), None)
    assert image.shape == (20, 30, 3) and int(image.mean()) == 255  # transparent → white paper
    grey, _ = decode_image(_png(np.zeros((20, 30), np.uint8)), "image/png; charset=binary")
    assert grey.shape == (20, 30, 3)


@pytest.mark.parametrize("value", [255, 0, 128])
async def test_blank_image_is_an_empty_result(service: VisionService, value: int) -> None:
    result = await service.read(_png(np.full((300, 400, 3), value, np.uint8)), "image/png")
    assert result.empty
    assert result.text_for_nlu == "" and result.char_confidence == () and result.codes == ()


async def test_noise_is_not_an_exception(service: VisionService) -> None:
    noise = (np.random.default_rng(2).random((240, 320, 3)) * 255).astype(np.uint8)
    result = await service.read(_png(noise), "image/png")
    assert result.codes == ()
