"""Numbers as a worker says them: Chinese numerals ("二十五", "两百") and English number words.

Written here and not taken from `assistant.language.numbers`: the dev set says numbers the way people do, and the
product's parser is what it measures, so the two must not share code."""

from __future__ import annotations

_ZH_DIGITS = "零一二三四五六七八九"
_EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def zh_number(n: int, before_unit: bool = True) -> str:
    """1..9999 in Chinese numerals. Before a measure word a lone 2 is 两 ("两箱"), and so is a leading 2 of
    hundreds or thousands ("两百克"); 二 elsewhere ("二十", "十二")."""
    if not 0 < n < 10_000:
        raise ValueError(f"{n} is outside 1..9999")
    if n < 10:
        return "两" if n == 2 and before_unit else _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    out = ""
    zero = False  # a skipped place inside the number is read as one 零 ("一百零五")
    for value, name in ((1000, "千"), (100, "百"), (10, "十")):
        digit = n // value % 10
        if digit:
            if zero:
                out += "零"
            lead = "两" if digit == 2 and out == "" and value >= 100 and before_unit else _ZH_DIGITS[digit]
            out += lead + name
            zero = False
        elif out:
            zero = True
    if n % 10:
        out += ("零" if zero else "") + _ZH_DIGITS[n % 10]
    return out


def en_number(n: int) -> str:
    """1..999 in English words ("two hundred fifty")."""
    if not 0 < n < 1000:
        raise ValueError(f"{n} is outside 1..999")
    words: list[str] = []
    if n >= 100:
        words += [_EN_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_EN_TENS[n // 10] + (f"-{_EN_ONES[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_EN_ONES[n])
    return " ".join(words)
