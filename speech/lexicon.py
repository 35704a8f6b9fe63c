"""What can be said at a site, per language: command phrases and numerals (defined here) plus the
item, location, customer and unit names of the master data. Feeds Whisper's prompt, Vosk's grammar and the
transcript corrector. The names come through `Names`, a small protocol the assistant's vocabulary fulfils:
speech imports nothing of the assistant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

NameKind = Literal["item", "location", "customer", "unit"]
PhraseKind = NameKind | str  # "command" and "numeral" besides the names' kinds
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Name(Protocol):
    """One way of naming a thing; `is_primary` marks the name it is shown with."""

    @property
    def text(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def is_primary(self) -> bool: ...


class SharedStem(Protocol):
    """The shared beginning of several locations' names at a site ("总装线" of 总装线A区 and B区)."""

    @property
    def text(self) -> str: ...

    @property
    def site(self) -> str: ...


class Names(Protocol):
    """What speech needs of the master data (`assistant.language.vocabulary.Vocabulary` is one): the names of
    each kind said at a site, and the stems people say for a group of locations."""

    def terms(self, kind: NameKind, site: str | None = None) -> Sequence[Name]: ...

    @property
    def stems(self) -> Sequence[SharedStem]: ...


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None

# The command phrases of the shop floor, per language. Single words stay in for the prompt and the
# grammar; the corrector only fuzzy-matches phrases of two syllables or more.
COMMANDS: dict[str, tuple[str, ...]] = {
    "zh": (
        "调拨", "调到", "送到", "移到", "搬到", "运到", "转到", "查询", "查一下", "库存", "还有多少", "有多少",
        "派", "派一台小车", "派小车", "一台小车", "小车", "确认", "好的", "对的", "是的", "取消", "算了", "不要了",
        "买", "卖", "开一单", "开单", "下单", "入库", "出库", "盘点", "从", "到", "把", "给",
    ),
    "en": (
        "transfer", "move", "send", "dispatch", "bring", "check", "how many", "are in stock", "in stock",
        "stock", "an AGV", "AGV", "yes", "no", "confirm", "okay", "cancel", "cancel it", "buy", "sell",
        "order", "to the", "from the", "of",
    ),
}
NUMERALS: dict[str, tuple[str, ...]] = {
    "zh": ("零", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "万", "半"),
    "en": (
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "half", "a", "dozen",
    ),
}
# Command words and amounts that show Whisper the register and spelling we want (numerals as 汉字).
# No example sentences with real names: Whisper recites them on unclear audio.
_PROMPT_HEAD: dict[str, str] = {
    "zh": "调拨 查询 库存 派一台小车 确认 取消 开一单 五件 两箱 三斤 ",
    "en": "Transfer, move, send an AGV, how many in stock, yes, cancel it. Five pieces, two boxes. ",
}
_PROMPT_BUDGET = {"zh": 150, "en": 600}  # characters: Whisper keeps at most 224 prompt tokens


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    kind: PhraseKind
    code: str | None
    primary: bool = False


@dataclass(frozen=True, slots=True)
class SiteLexicon:
    """Everything that can be said at one site in one language."""

    language: str
    site: str | None
    phrases: tuple[Phrase, ...]
    units: tuple[str, ...]
    numerals: tuple[str, ...]
    prompt: str

    def words(self) -> tuple[str, ...]:
        """Every phrase, unit and numeral: the material of a recognition grammar."""
        return tuple(dict.fromkeys([*(p.text for p in self.phrases), *self.units, *self.numerals]))


def _in_language(text: str, language: str) -> bool:
    if language == "zh":
        return has_cjk(text)
    return not has_cjk(text) and re.search(r"[A-Za-z]", text) is not None


def build_lexicon(
    vocabulary: Names,
    language: str,
    site: str | None,
    commands: Mapping[str, Sequence[str]] | None = None,
    numerals: Mapping[str, Sequence[str]] | None = None,
) -> SiteLexicon:
    """The lexicon of one site and language; `commands`/`numerals` add languages or replace ours."""
    command_words = (commands or {}).get(language, COMMANDS.get(language, ()))
    numeral_words = tuple((numerals or {}).get(language, NUMERALS.get(language, ())))
    phrases: list[Phrase] = []
    kinds: tuple[NameKind, ...] = ("item", "location", "customer")
    for kind in kinds:
        terms = sorted(vocabulary.terms(kind, site), key=lambda t: not t.is_primary)
        phrases += [Phrase(t.text, kind, t.code, t.is_primary) for t in terms if _in_language(t.text, language)]
    phrases += [Phrase(s.text, "location", None) for s in vocabulary.stems
                if (site is None or s.site == site) and _in_language(s.text, language)]
    phrases += [Phrase(c, "command", None) for c in command_words]
    units = tuple(dict.fromkeys(t.text for t in vocabulary.terms("unit", site) if _in_language(t.text, language)))
    unique = tuple(dict.fromkeys(phrases))
    return SiteLexicon(language, site, unique, units, numeral_words, _prompt(language, unique))


def _prompt(language: str, phrases: Sequence[Phrase]) -> str:
    """A Whisper initial prompt: example commands with real names, then the names themselves, display
    names of every kind before aliases (the prompt has a budget; faster-whisper keeps its end)."""
    kinds = ("item", "location", "customer")
    long_name = 6 if language == "zh" else 20
    named = sorted((p for p in phrases if p.kind in kinds),
                   key=lambda p: (len(p.text) > long_name, not p.primary, kinds.index(str(p.kind))))
    names = [p.text for p in named]
    text = _PROMPT_HEAD.get(language, "")
    sep = " " if language == "zh" else ", "  # 、 between names makes Whisper write 、 between words
    budget = _PROMPT_BUDGET.get(language, 300)
    for name in dict.fromkeys(names):
        if len(text) + len(name) + len(sep) > budget:
            break
        text += name + sep
    return text.rstrip(sep + " ") + ("。" if language == "zh" else ".")
