"""The CJK font the contract is set in: a TrueType font from a Debian package, found by path (never downloaded).
`make setup` installs fonts-wqy-zenhei; Droid Sans Fallback (fonts-droid-fallback) serves where that one is not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "FrontlineCJK"


@dataclass(frozen=True)
class FontFile:
    path: Path
    subfont: int = 0  # the face inside a TrueType collection (.ttc)


CANDIDATES = (
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),  # fonts-wqy-zenhei
    FontFile(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")),  # fonts-droid-fallback
)


class FontMissing(RuntimeError):
    """No CJK font is installed; the message says which package to install."""


def find_font(configured: Path | None = None) -> FontFile:
    if configured is not None:
        if not configured.is_file():
            raise FontMissing(f"contract font {configured} does not exist (FRONTLINE_CONTRACTS__FONT)")
        return FontFile(configured)
    for candidate in CANDIDATES:
        if candidate.path.is_file():
            return candidate
    raise FontMissing("no Chinese font for contracts: install the Debian package fonts-wqy-zenhei "
                      "(make setup does) or set FRONTLINE_CONTRACTS__FONT to a TrueType font file")


def register_font(font: FontFile) -> str:
    """Register the font with ReportLab once per process; its name for styles."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font.path), subfontIndex=font.subfont))
    return FONT_NAME
