"""Vouchers as a CSV a Chinese bookkeeping system imports: 日期, 凭证字号, 摘要, 科目编码, 科目名称, 借方, 贷方;
one row per voucher line, UTF-8 with a byte-order mark (so Excel and the import wizards of 金蝶/用友 read the
Chinese), CRLF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from assistant.books.views import VoucherView

HEADER = ("日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方", "贷方")
BOM = "\ufeff"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}" if value else ""  # the other side of a line is left empty


def vouchers_csv(vouchers: Iterable[VoucherView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for voucher in vouchers:
        for line in voucher.lines:
            writer.writerow((voucher.date.isoformat(), voucher.number, line.summary, line.account, line.account_name,
                             _amount(line.debit), _amount(line.credit)))
    return BOM + out.getvalue()
