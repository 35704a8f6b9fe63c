"""The company seal shown in the signature's visible field: a red ring, the company's name around its upper arc, a
five-pointed star in the middle and 合同专用章 below it, drawn with Pillow as a transparent PNG (the look of a
Chinese contract seal; the signature, not this picture, is what proves who signed)."""

from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from assistant.contracts.fonts import FontFile

RED = (210, 20, 20, 255)
SIZE = 600  # pixels across: 40 mm at about 380 dpi


def _star(center: tuple[float, float], outer: float) -> list[tuple[float, float]]:
    inner = outer * 0.382
    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = -math.pi / 2 + index * math.pi / 5
        points.append((center[0] + radius * math.cos(angle), center[1] + radius * math.sin(angle)))
    return points


@lru_cache(maxsize=16)  # one seal per company: drawn once per process (about 0.1 s)
def seal_png(company: str, font: FontFile, label: str = "合同专用章") -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    middle = SIZE / 2
    ring = SIZE * 0.47
    draw.ellipse((middle - ring, middle - ring, middle + ring, middle + ring), outline=RED, width=int(SIZE * 0.035))
    draw.polygon(_star((middle, middle), SIZE * 0.15), fill=RED)

    # The name around the upper arc, each character upright to the centre, spread over up to 250 degrees.
    name = company.strip() or "—"
    size = int(SIZE * (0.11 if len(name) <= 14 else 0.085))
    face = ImageFont.truetype(str(font.path), size, index=font.subfont)
    span = min(250.0, 18.0 * len(name) + 20)
    text_radius = ring - SIZE * 0.035 - size * 0.65
    for index, char in enumerate(name):
        angle = -span / 2 + span * (index + 0.5) / len(name)  # degrees from the top, clockwise
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size, size), char, font=face, fill=RED, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = middle + text_radius * math.sin(math.radians(angle))
        y = middle - text_radius * math.cos(math.radians(angle))
        image.alpha_composite(glyph, (round(x - size), round(y - size)))

    small = ImageFont.truetype(str(font.path), int(SIZE * 0.075), index=font.subfont)
    draw.text((middle, middle + SIZE * 0.26), label, font=small, fill=RED, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
