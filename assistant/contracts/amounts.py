"""An amount of money in Chinese capitals (人民币大写), as contracts, invoices and bank forms write it.

The rules are those of the People's Bank of China for filling in bills and settlement forms (正确填写票据和结算凭证的
基本规定): digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four and 万亿 between groups; a run of
zeros inside the figure is one 零; an amount ending at 元 ends with 整 (nothing after 角 or 分); 角 zero with 分 not
zero writes 零 after 元; a ten at the head is 壹拾 (壹拾万元整, never 拾万元整: nothing can be written before it).
Where the rules allow either form (元 digit zero before a 角: 壹仟陆佰捌拾元零叁角贰分 or …元叁角贰分) the first
form of the rules' own examples is written."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("仟", "佰", "拾", "")  # the places of a group of four, highest first
_GROUPS = ("", "万", "亿")  # groups of four from the lowest
LIMIT = Decimal(10) ** 12  # 壹万亿: no sale reaches it; refusing is clearer than inventing 万亿 forms
_CENT = Decimal("0.01")


def _group(value: int) -> str:
    """0 < value < 10000 in capitals, without leading zeros; an inner run of zeros is one 零, trailing ones none."""
    text = ""
    zero_pending = False
    for place, digit in zip(_IN_GROUP, f"{value:04d}", strict=True):
        if digit == "0":
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
            zero_pending = False
        text += DIGITS[int(digit)] + place
    return text


def _yuan(value: int) -> str:
    """The whole yuan (value > 0) in capitals, without 元."""
    groups: list[int] = []
    while value:
        value, group = divmod(value, 10000)
        groups.append(group)
    text = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:  # a whole group of zeros: one 零 before whatever follows, and no 万 of its own
            zero_pending = bool(text)
            continue
        if text and (zero_pending or group < 1000):
            text += "零"
        text += _group(group) + _GROUPS[index]
        zero_pending = False
    return text


def in_capitals(amount: Decimal) -> str:
    """`amount` yuan in capitals, rounded half-up to the fen: 10050 → 壹万零伍拾元整, 0.05 → 伍分,
    1000000.50 → 壹佰万元零伍角. A negative amount is written with 负 in front (a red-letter reversal)."""
    if not amount.is_finite():
        raise ValueError(f"not an amount: {amount}")
    cents = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if abs(cents) >= LIMIT:
        raise ValueError(f"amount too large for capitals: {amount}")
    if cents < 0:
        return "负" + in_capitals(-cents)
    whole = int(cents)
    fen_total = int((cents - whole) * 100)
    jiao, fen = divmod(fen_total, 10)
    if whole == 0 and fen_total == 0:
        return "零元整"
    text = _yuan(whole) + "元" if whole else ""
    if fen_total == 0:
        return text + "整"
    if jiao:
        if whole and whole % 10 == 0:  # the 元 digit is zero: the rules' first form writes 零 before the 角
            text += "零"
        text += DIGITS[jiao] + "角"
    elif whole:  # 角 zero, 分 not: 零 after 元 is required
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text
