"""The one catalogue of words: every reply, error and label, Mandarin first and English second, keyed by code.

The domain keeps codes and values (a reason, a location code, a number); whoever shows a text to a person
renders it here, in that person's language:

    say("ask-destination", "zh")                 # "调到哪里?"
    both("input-too-long", max_chars=2000)       # ("内容太长…", "The message is too long…")

Sections (one module each, merged into `CATALOGUE`): `dialogue` (what the assistant says in a conversation),
`errors` (every error code a turn, an API call or a socket can end with), `fleet` (AGV progress),
`guidance` (walking directions), `ui` (labels on buttons, cards and screens), `chat` (the chat channels' own
words), `alerts` (safety-stock alerts).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from assistant.catalogue import alerts, chat, dialogue, errors, fleet, guidance, ui

Lang = Literal["zh", "en"]
Entry = tuple[str, str]  # (Mandarin, English)
LANGUAGES: tuple[Lang, ...] = ("zh", "en")


def _merge(*sections: Mapping[str, Entry]) -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for section in sections:
        for code, entry in section.items():
            if code in merged:
                raise ValueError(f"catalogue code {code!r} is defined twice")
            merged[code] = entry
    return merged


CATALOGUE: dict[str, Entry] = _merge(dialogue.TEXTS, errors.TEXTS, fleet.TEXTS, guidance.TEXTS, ui.TEXTS,
                                     chat.TEXTS, alerts.TEXTS)


def lang_of(value: str | None) -> Lang:
    """Our two languages: English when asked for, Mandarin otherwise (the product's first language)."""
    return "en" if value == "en" else "zh"


_FORMATTER = string.Formatter()


def _fill(template: str, values: Mapping[str, Any]) -> str:
    """`template.format(**values)`, with a space where two filled-in pieces would run digits together: "螺栓M8"
    then "200件" reads "螺栓M8 200件", never "螺栓M8200件" (to the eye, and to the speech synthesiser)."""
    out = ""
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        out += literal
        if field is None:
            continue
        value, _ = _FORMATTER.get_field(field, (), values)
        piece = _FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec or "")
        if not literal and out[-1:].isascii() and out[-1:].isalnum() and piece[:1].isdigit():
            out += " "
        out += piece
    return out


def say(code: str, lang: str | None, **values: Any) -> str:
    """The text of `code` in `lang`, its `{placeholders}` filled from `values`."""
    zh, en = CATALOGUE[code]
    return _fill(en if lang_of(lang) == "en" else zh, values)


def both(code: str, **values: Any) -> Entry:
    """The text in both languages (an API error carries both, for a client that shows either)."""
    return say(code, "zh", **values), say(code, "en", **values)


def has(code: str) -> bool:
    return code in CATALOGUE


def section(prefix: str) -> dict[str, Entry]:
    """Every entry whose code starts with `prefix` (the screens load their `ui-` labels in one request)."""
    return {code: entry for code, entry in CATALOGUE.items() if code.startswith(prefix)}


def join_list(names: Sequence[str], lang: str | None) -> str:
    """甲、乙、丙 / A, B, C."""
    return (", " if lang_of(lang) == "en" else "、").join(names)


def join_choices(names: Sequence[str], lang: str | None) -> str:
    """甲还是乙 / A or B: the alternatives of a question."""
    if lang_of(lang) == "en":
        return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)
    return "还是".join(names)



_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


def say_date(value: date, lang: str | None) -> str:
    """A date as people say it: 2025年7月9日, July 9, 2025."""
    if lang_of(lang) == "en":
        return f"{_MONTH_NAMES[value.month - 1]} {value.day}, {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"

__all__ = ["CATALOGUE", "LANGUAGES", "Entry", "Lang", "both", "has", "join_choices", "join_list", "lang_of", "say",
           "say_date", "section"]
