"""Sales and cancellations of several items confirmed at the same moment: every voucher once, numbers without gaps or
twins, the cost quantities as the stock (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.books import VoucherStore
from assistant.books.models import ItemCost
from assistant.ledger.service import Ledger
from assistant.ledger.views import Document
from tests.ledger.helpers import d
from tests.ledger.test_concurrency import race

ITEMS = ["TEA-TGY", "TEA-LJ", "TEA-MLH", "TEA-BC", "TEA-HC", "TEA-LC"]


def test_concurrent_sales_post_once_each_with_unique_numbers(ledger: Ledger, engine: Engine,
                                                             store: VoucherStore) -> None:
    day = dt.date(2026, 11, 30)
    first = ledger.confirm_sales_order(ledger.plan_sales_order("FZ", "C000", day, [("TEA-TGY", d(100))]),
                                       device="PAD-01", worker="W11", turn_id=None)
    calls: list[Callable[[], Document]] = [
        partial(ledger.confirm_sales_order, ledger.plan_sales_order("FZ", "C000", day, [(item, d(500))]),
                device="PAD-01", worker="W11", turn_id=None) for item in ITEMS]
    calls.append(partial(ledger.cancel_document, first.id))
    done, failed = race(calls)
    assert (len(done), failed) == (7, [])
    vouchers = store.between("FZ", None, None)
    assert len(vouchers) == 2 + 2 * len(ITEMS) + 2  # the first sale, six sales, the first one's two reversals
    by_month: dict[str, list[int]] = {}
    for v in vouchers:
        by_month.setdefault(f"{v.date:%Y-%m}", []).append(int(v.number.removeprefix("记-")))
    assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in by_month.values())
    assert all(v.debit == v.credit for v in vouchers)
    with Session(engine) as session:
        costs = {item: qty for item, qty in session.execute(select(ItemCost.item, ItemCost.qty)
                                                            .where(ItemCost.site == "FZ")).all()}
    assert costs == {item: ledger.available_total("FZ", item) for item in ITEMS}
