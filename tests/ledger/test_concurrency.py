"""Many devices confirming the last units at the same moment: nobody oversells (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlalchemy import Engine

from assistant.ledger.errors import InsufficientStock, InvalidState, LedgerError
from assistant.ledger.service import Ledger
from assistant.ledger.views import Document
from tests.ledger.helpers import balances_from_moves, d, stock_rows

THREADS = 8


def race(calls: list[Callable[[], Document]]) -> tuple[list[Document], list[LedgerError]]:
    """Run the calls in threads released together; collect successes and ledger errors."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Document]) -> Document | LedgerError:
        barrier.wait()
        try:
            return call()
        except LedgerError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        results = list(pool.map(run, calls))
    return ([r for r in results if isinstance(r, Document)], [r for r in results if isinstance(r, LedgerError)])


def test_transfers_never_oversell(ledger: Ledger, engine: Engine) -> None:
    # A-01 holds 40: of 8 transfers of 10 (all planned while stock was there) exactly 4 can go through.
    plans = [ledger.plan_transfer("DG", "CS-1001", d(10), "LINE-B") for _ in range(THREADS)]
    done, failed = race([
        partial(ledger.confirm_transfer, p, device="HMD-01", worker="W01", turn_id=f"t{i}")
        for i, p in enumerate(plans)
    ])
    assert len(done) == 4
    assert len(failed) == 4 and all(isinstance(e, InsufficientStock) for e in failed)
    assert sorted(doc.id for doc in done) == [f"TR-{n:06d}" for n in range(1, 5)]
    rows = stock_rows(engine)
    assert rows["DG", "A-01", "CS-1001"] == (d(40), d(40))
    assert balances_from_moves(engine) == rows


def test_sales_never_oversell(ledger: Ledger, engine: Engine) -> None:
    # Da Hong Pao: 2500 g, all on the shop shelf; 8 clerks sell 400 g each -> 6 succeed, 100 g left.
    plans = [ledger.plan_sales_order("FZ", "C000", dt.date(2025, 1, 20), [("TEA-DHP", d(400))])
             for _ in range(THREADS)]
    done, failed = race([
        partial(ledger.confirm_sales_order, p, device="PAD-01", worker="W11", turn_id=None) for p in plans
    ])
    assert (len(done), len(failed)) == (6, 2)
    assert all(isinstance(e, InsufficientStock) and e.available == d(100) for e in failed)
    rows = stock_rows(engine)
    assert rows["FZ", "SHOP", "TEA-DHP"] == (d(100), d(0))
    assert all(on_hand >= reserved >= 0 for on_hand, reserved in rows.values())
    assert balances_from_moves(engine) == rows


def test_completing_twice_moves_once(ledger: Ledger, engine: Engine) -> None:
    doc = ledger.confirm_transfer(ledger.plan_transfer("DG", "CS-1001", d(10), "LINE-B"),
                                  device="HMD-01", worker="W01", turn_id="t0")
    ledger.start_transfer(doc.id)
    done, failed = race([partial(ledger.complete_transfer, doc.id) for _ in range(THREADS)])
    assert len(done) == 1
    assert len(failed) == THREADS - 1 and all(isinstance(e, InvalidState) for e in failed)
    rows = stock_rows(engine)
    assert rows["DG", "LINE-B", "CS-1001"] == (d(10), d(0))
    assert rows["DG", "A-01", "CS-1001"] == (d(30), d(0))
