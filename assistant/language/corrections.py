"""Corrections as people say them: "不对，是6件", "不是曲轴，是凸轮轴", "王五买了1斤铁观音，不对，是2斤",
"no wait, make it 8". What comes after the last correction word replaces what came before, kind by kind."""

from __future__ import annotations

import re

# Words that take back what was just said. A bare 是 counts only after a 不是 ("不是五件是七件").
_MARKERS = re.compile(
    r"不对|不是|错了|错啦|说错了|我是说|我说的是|改成|改为|改到|改送|换成|应该是|哦不|等一下"
    r"|(?<![a-z])(?:no wait|i mean|i meant|sorry|actually|change it to|make it|make that|correction)(?![a-z])",
    re.IGNORECASE,
)
_AFTER_NOT = re.compile(r"(?<!不)是")


def correction_start(text: str) -> int | None:
    """Where the correcting part of a message begins (after its last correction word), or None when the message
    takes nothing back."""
    ends = [m.end() for m in _MARKERS.finditer(text)]
    negated = [m.start() for m in re.finditer("不是", text)]
    if negated:
        ends += [m.end() for m in _AFTER_NOT.finditer(text, negated[0] + 2)]
    return max(ends) if ends else None
