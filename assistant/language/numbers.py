"""Numbers as people say and write them: Arabic, Chinese numerals, mixed ("3千") and English words."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Chinese digits, including the financial forms seen on handwritten receipts.
ZH_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
ZH_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
ZH_BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
# Every character that may appear inside a Chinese number (used by the extractor to find runs).
ZH_NUMERAL_CHARS = "".join([*ZH_DIGITS, *ZH_SMALL_UNITS, *ZH_BIG_UNITS, "点", "半"])

EN_ONES: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
EN_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
EN_SCALES: dict[str, int] = {"dozen": 12, "hundred": 100, "thousand": 1000}
EN_NUMBER_WORDS = frozenset([*EN_ONES, *EN_TENS, *EN_SCALES, "a", "an", "half", "and"])

_ARABIC = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_HALF = Decimal("0.5")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse_number(text: str) -> Decimal | None:
    """The number the whole of `text` spells, or None.

    "5", "1.5", "2,000", "５", "二十五", "一百二十", "两千", "半", "一点五", "〇", "3千", "1.5万",
    "twenty-five", "a hundred", "half", "one and a half".
    """
    s = normalise(text)
    if not s:
        return None
    if _ARABIC.fullmatch(s):
        return Decimal(s.replace(",", ""))
    # Mixed: Arabic digits with one Chinese multiplier ("3千", "1.5万").
    if len(s) > 1 and _ARABIC.fullmatch(s[:-1]) and s[-1] in {**ZH_SMALL_UNITS, **ZH_BIG_UNITS}:
        return Decimal(s[:-1].replace(",", "")) * {**ZH_SMALL_UNITS, **ZH_BIG_UNITS}[s[-1]]
    if all(ch in ZH_NUMERAL_CHARS for ch in s):
        return _parse_zh(s)
    return _parse_en(s)


def _parse_zh(s: str) -> Decimal | None:
    if s == "半":
        return _HALF
    if "点" in s:
        whole, _, frac = s.partition("点")
        integer = _parse_zh_integer(whole) if whole else None
        if integer is None or not frac or any(ch not in ZH_DIGITS for ch in frac):
            return None
        try:
            return Decimal(f"{integer}." + "".join(str(ZH_DIGITS[ch]) for ch in frac))
        except InvalidOperation:  # pragma: no cover - digits only, cannot happen
            return None
    value = _parse_zh_integer(s)
    return None if value is None else Decimal(value)


def _parse_zh_integer(s: str) -> int | None:
    if "半" in s:
        return None
    if all(ch in ZH_DIGITS for ch in s):
        # No multipliers: a digit string read digit by digit ("二〇二五" → 2025, used for years).
        return int("".join(str(ZH_DIGITS[ch]) for ch in s))
    total = 0  # completed 万/亿 groups
    section = 0  # value below the current big unit
    digit: int | None = None
    last_unit = 0  # multiplier of the previous character, for the colloquial "一百二" = 120
    after_zero = False
    for ch in s:
        if ch in "零〇":
            after_zero = True  # "一百零五": the next digit is units, not tens
        elif ch in ZH_DIGITS:
            if digit is not None:  # two digits in a row ("二三十") is a range, not a number
                return None
            digit = ZH_DIGITS[ch]
        elif ch in ZH_SMALL_UNITS:
            unit = ZH_SMALL_UNITS[ch]
            if last_unit and unit >= last_unit and digit is None:
                return None  # "十十", "百千"
            section += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
        else:  # big unit
            big = ZH_BIG_UNITS[ch]
            section += digit or 0
            if section == 0:
                return None
            total = (total + section) * big if big > 10_000 else total + section * big
            section, digit, last_unit, after_zero = 0, None, big, False
    if digit is not None:
        # "一百二" means 120 and "两千五" 2500: a last digit right after a multiplier scales down one place.
        section += digit * (last_unit // 10) if last_unit >= 100 and not after_zero else digit
    return total + section


def _parse_en(s: str) -> Decimal | None:
    tokens = [t for t in re.split(r"[\s-]+", s) if t]
    if not tokens or any(t not in EN_NUMBER_WORDS for t in tokens):
        return None
    fraction = Decimal(0)
    for tail in (["and", "a", "half"], ["and", "half"]):
        if tokens[-len(tail):] == tail and len(tokens) > len(tail):
            fraction, tokens = _HALF, tokens[: -len(tail)]
            break
    if tokens in (["half"], ["a", "half"]):
        return _HALF
    total = current = 0
    seen_number = False
    last = ""  # kind of the previous token: ones, tens, scale
    for i, tok in enumerate(tokens):
        if tok == "and":
            if last != "scale":  # only "a hundred and five"
                return None
            continue
        if tok in ("a", "an"):
            if i != 0 or (len(tokens) == 1 and tok == "an"):
                return None
            current, last, seen_number = 1, "ones", True
            continue
        if tok in EN_ONES:
            if last == "ones" or (last == "tens" and EN_ONES[tok] >= 10):
                return None
            current += EN_ONES[tok]
            last = "ones"
        elif tok in EN_TENS:
            if last in ("ones", "tens"):
                return None
            current += EN_TENS[tok]
            last = "tens"
        elif tok in EN_SCALES:
            scale = EN_SCALES[tok]
            if scale == 1000:
                total += (current or 1) * scale
                current = 0
            else:
                current = (current or 1) * scale
            last = "scale"
        else:
            return None
        seen_number = True
    if not seen_number:
        return None
    return Decimal(total + current) + fraction
