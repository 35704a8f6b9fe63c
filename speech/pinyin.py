"""Mandarin syllables for fuzzy matching: tone-insensitive pinyin, folded over the confusions of
speech recognisers and southern accents (z/zh, c/ch, s/sh, l/n, f/h, an/ang, en/eng, in/ing)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r",
             "z", "c", "s", "y", "w")
_FOLD_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "h": "f"}


def split(syllable: str) -> tuple[str, str]:
    for ini in _INITIALS:
        if syllable.startswith(ini) and len(syllable) > len(ini):
            return ini, syllable[len(ini):]
    return "", syllable


@lru_cache(maxsize=4096)
def fold(syllable: str) -> tuple[str, str]:
    """(initial, final) with confusable sounds merged: "zhuang" → ("z", "uan")."""
    ini, fin = split(syllable)
    ini = _FOLD_INITIAL.get(ini, ini)
    if fin.endswith("ng") and not fin.endswith("ong"):
        fin = fin[:-1]
    return ini, fin


@lru_cache(maxsize=4096)
def similarity(a: str, b: str) -> float:
    """1 for the same syllable, 0.9 for a confusable one, partial credit for a shared initial or final."""
    if a == b:
        return 1.0
    (ia, fa), (ib, fb) = fold(a), fold(b)
    if (ia, fa) == (ib, fb):
        return 0.9
    final = 1.0 if fa == fb else 0.6 if fa and fb and (fa.endswith(fb) or fb.endswith(fa)) else 0.0
    return 0.35 * (ia == ib) + 0.5 * final


@lru_cache(maxsize=8192)
def readings(char: str) -> tuple[str, ...]:
    """Every tone-less reading of one character (调 → diao, tiao): the recogniser may mean any."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(found[0])) if found else ()


def phrase_syllables(text: str) -> tuple[str, ...]:
    """Readings of a whole phrase in context (pypinyin's phrase dictionary picks 调拨 → diao bo)."""
    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors="ignore"))
