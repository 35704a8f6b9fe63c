"""The CSV a bookkeeping system imports: the common Chinese voucher layout, UTF-8 with a BOM."""

from __future__ import annotations

import csv
import datetime as dt
import io

from assistant.books import VoucherStore, vouchers_csv
from assistant.ledger.service import Ledger
from tests.ledger.helpers import d


def test_csv_layout(ledger: Ledger, store: VoucherStore) -> None:
    day = dt.date(2026, 11, 30)
    plan = ledger.plan_sales_order("FZ", "C002", day, [("TEA-TGY", d(500))])
    doc = ledger.confirm_sales_order(plan, device="PAD-02", worker="W12", turn_id="t1").id
    text = vouchers_csv(store.between("FZ", day, day))
    assert text.startswith("\ufeff日期,凭证字号,摘要,科目编码,科目名称,借方,贷方\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1:] == [
        ["2026-11-30", "记-0001", f"销售 {doc} 李四", "1122", "应收账款", "168.00", ""],
        ["2026-11-30", "记-0001", f"销售 {doc} 李四 税率13%", "6001", "主营业务收入", "", "148.67"],
        ["2026-11-30", "记-0001", f"销售 {doc} 李四 税率13%", "22210102", "应交税费—应交增值税(销项税额)", "", "19.33"],
        ["2026-11-30", "记-0002", f"结转销售成本 {doc} 铁观音", "6401", "主营业务成本", "86.00", ""],
        ["2026-11-30", "记-0002", f"结转销售成本 {doc} 铁观音", "1405", "库存商品", "", "86.00"],
    ]
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert store.between("FZ", day + dt.timedelta(days=1), None) == []
    assert store.between("DG", None, None) == []
