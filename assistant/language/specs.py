"""The size people add to a common item name: "Φ16", "φ16", "直径16", "16mm", "16的", and as the whole answer to
"which one?": "16", "十六", "要16的". Sizes are numbers; the items that carry them say so (`Item.spec`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.language.numbers import ZH_NUMERAL_CHARS, normalise, parse_number

_NUMBER = rf"(?:\d+(?:\.\d+)?|[{ZH_NUMERAL_CHARS}]+)"
# In a message: a marked size only (Φ, 直径, mm, or 的 right after the number), never a bare number, which is an
# amount. Offsets index the normalised text.
_IN_TEXT = re.compile(rf"(?:[φфø∅Φ]|直径)\s*(?P<a>{_NUMBER})(?:\s*(?:mm|毫米))?(?:的)?"
                      rf"|(?<![\d.])(?P<b>{_NUMBER})\s*(?:mm|毫米|的)")
_ANSWER = re.compile(rf"^(?:要|是|就|选)?\s*(?:[φфø∅Φ]|直径)?\s*(?P<n>{_NUMBER})\s*(?:mm|毫米)?\s*"
                     rf"(?:的|那个|那种|规格)?\s*(?:吧|呀|啊)?[\s。.!！]*$")


@dataclass(frozen=True, slots=True)
class SpecSpan:
    size: Decimal
    start: int
    end: int


def find_specs(text: str) -> list[SpecSpan]:
    """Marked sizes in `text` (normalised: NFKC, lower case), in order."""
    found = []
    for m in _IN_TEXT.finditer(text):
        size = parse_number(m.group("a") or m.group("b") or "")
        if size is not None and 0 < size < 1000:
            found.append(SpecSpan(size, m.start(), m.end()))
    return found


def answered_spec(text: str) -> Decimal | None:
    """The size a whole answer names ("16", "十六", "Φ16", "要16的"), None when the answer is something else."""
    m = _ANSWER.match(normalise(text).strip())
    if m is None:
        return None
    size = parse_number(m.group("n"))
    return size if size is not None and 0 < size < 1000 else None
