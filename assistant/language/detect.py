"""Which language a message is in, to answer in kind (Mandarin first)."""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]

# CJK Unified Ideographs with extension A and the compatibility block.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]")


def detect_language(text: str) -> Lang:
    """"zh" when the text has any Chinese character; "en" when it has Latin letters and no Chinese;
    "zh" otherwise (digits only, empty, emoji): the shop floor speaks Mandarin."""
    if _CJK.search(text):
        return "zh"
    return "en" if _LATIN.search(text) else "zh"
