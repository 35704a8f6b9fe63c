"""A confirmed sale posts balanced vouchers in its own transaction; transfers post nothing; each document event posts
once; a total further than 0.5 % from the one read back stops the sale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.books import Books, VoucherEvent, VoucherStore, VoucherVariance
from assistant.books.models import ItemCost, Voucher, VoucherLine
from assistant.ledger import models
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from tests.ledger.helpers import count, d, stock_rows

DAY = dt.date(2026, 11, 30)


def sell(ledger: Ledger, *lines: tuple[str, int], total_factor: Decimal | None = None) -> str:
    plan = ledger.plan_sales_order("FZ", "C001", DAY, [(item, d(qty)) for item, qty in lines])
    if total_factor is not None:
        assert plan.total is not None
        plan = plan.model_copy(update={"total": (plan.total * total_factor).quantize(Decimal("0.01"))})
    return ledger.confirm_sales_order(plan, device="PAD-02", worker="W12", turn_id="t1").id


def amounts(store: VoucherStore, doc: str) -> dict[VoucherEvent, list[tuple[str, Decimal, Decimal]]]:
    return {v.event: [(line.account, line.debit, line.credit) for line in v.lines]
            for v in store.for_document("FZ", doc)}


def test_a_sale_posts_revenue_and_cost_vouchers(ledger: Ledger, store: VoucherStore) -> None:
    doc = sell(ledger, ("TEA-TGY", 500))  # one jin at 168.00 incl. 13 % VAT
    vouchers = store.for_document("FZ", doc)
    assert [(v.event, v.number, v.date) for v in vouchers] == [
        (VoucherEvent.sale, "记-0001", DAY), (VoucherEvent.delivery, "记-0002", DAY)]
    assert all(v.debit == v.credit for v in vouchers)
    assert amounts(store, doc) == {
        VoucherEvent.sale: [("1122", Decimal("168.00"), 0), ("6001", 0, Decimal("148.67")),
                            ("22210102", 0, Decimal("19.33"))],
        # the opening stock: 5000 g at 0.18 on the shelf, 20000 g at 0.17 in the back room → 0.172 a gram
        VoucherEvent.delivery: [("6401", Decimal("86.00"), 0), ("1405", 0, Decimal("86.00"))],
    }
    sale = vouchers[0]
    assert sale.summary == "销售 " + doc + " 张三"
    assert [line.account_name for line in sale.lines] == ["应收账款", "主营业务收入", "应交税费—应交增值税(销项税额)"]
    assert store.for_document("DG", doc) == []  # another site's document has no vouchers for the caller


def test_several_items_and_legs(ledger: Ledger, store: VoucherStore) -> None:
    doc = sell(ledger, ("TEA-TGY", 6000), ("TEA-LJ", 250))  # the shelf's 5000 g and 1000 g from the back room
    assert len(ledger.document(doc).lines) == 3
    got = amounts(store, doc)
    assert got[VoucherEvent.sale][0] == ("1122", Decimal("2146.00"), 0)  # 12 jin × 168 + half a jin × 260
    assert got[VoucherEvent.delivery] == [("6401", Decimal("75.00"), 0), ("1405", 0, Decimal("75.00")),
                                          ("6401", Decimal("1032.00"), 0), ("1405", 0, Decimal("1032.00"))]


def test_average_cost_moves_with_a_receipt_at_another_cost(ledger: Ledger, books: Books, store: VoucherStore,
                                                           engine: Engine) -> None:
    sell(ledger, ("TEA-TGY", 5000))  # 5000 g leave at 0.172: 20000 g valued at 0.172 are left
    assert books.receive("FZ", "TEA-TGY", d(20000), Decimal("0.20")) == Decimal("0.186000")
    doc = sell(ledger, ("TEA-TGY", 1000))
    assert amounts(store, doc)[VoucherEvent.delivery] == [("6401", Decimal("186.00"), 0),
                                                          ("1405", 0, Decimal("186.00"))]
    with Session(engine) as session:
        row = session.get(ItemCost, ("FZ", "TEA-TGY"))
        assert row is not None and (row.qty, row.unit_cost) == (d(39000), Decimal("0.186000"))


def test_a_transfer_posts_nothing_and_keeps_the_cost(ledger: Ledger, engine: Engine, store: VoucherStore) -> None:
    plan = ledger.plan_transfer("FZ", "TEA-TGY", d(2000), "SHOP")
    doc = ledger.confirm_transfer(plan, device="PAD-01", worker="W11", turn_id="t1")
    ledger.start_transfer(doc.id)
    ledger.complete_transfer(doc.id)
    assert count(engine, Voucher) == count(engine, ItemCost) == 0
    sold = sell(ledger, ("TEA-TGY", 500))
    assert amounts(store, sold)[VoucherEvent.delivery][0] == ("6401", Decimal("86.00"), 0)  # still 0.172 a gram


def test_over_the_variance_limit_the_sale_stops_and_nothing_is_posted(ledger: Ledger, engine: Engine) -> None:
    before = stock_rows(engine)
    with pytest.raises(VoucherVariance) as caught:
        sell(ledger, ("TEA-TGY", 500), total_factor=Decimal("1.006"))  # read back 169.01, books 168.00
    assert caught.value.fields() == {"document": "SO-000001", "document_total": Decimal("169.01"),
                                     "voucher_total": Decimal("168.00"), "limit": Decimal("0.005")}
    assert count(engine, models.Document) == count(engine, Voucher) == count(engine, VoucherLine) == 0
    assert count(engine, ItemCost) == 0
    assert stock_rows(engine) == before
    sell(ledger, ("TEA-TGY", 500), total_factor=Decimal("1.004"))  # within 0.5 %: posted at the document's lines
    assert count(engine, Voucher) == 2


def test_posting_twice_posts_once(engine: Engine, world: World, books: Books) -> None:
    load_world_into(engine, world)
    plain = Ledger(engine, world)  # a ledger without the books: a sale from before they were set up
    doc = sell(plain, ("TEA-LJ", 500))
    assert count(engine, Voucher) == 0
    first = books.post_document(doc)
    assert len(first) == 2
    assert books.post_document(doc) == []
    assert count(engine, Voucher) == 2
    with Session(engine) as session, pytest.raises(IntegrityError), session.begin():  # the database holds it too
        session.add(Voucher(site="FZ", period="2026-11", number=99, date=DAY, document_id=doc, event="sale",
                            summary="again", created_at=dt.datetime.now(dt.UTC)))


def test_posting_in_the_confirmation_then_again_posts_once(ledger: Ledger, books: Books, engine: Engine) -> None:
    doc = sell(ledger, ("TEA-DHP", 250))
    assert books.post_document(doc) == []
    assert count(engine, Voucher) == 2
    with Session(engine) as session:
        assert session.scalar(select(ItemCost.qty).where(ItemCost.item == "TEA-DHP")) == d(2250)  # issued once


def test_a_reset_clears_the_books_and_restarts_the_numbers(ledger: Ledger, engine: Engine, world: World,
                                                           store: VoucherStore) -> None:
    sell(ledger, ("TEA-TGY", 500))
    load_world_into(engine, world)
    assert count(engine, Voucher) == count(engine, VoucherLine) == count(engine, ItemCost) == 0
    doc = sell(ledger, ("TEA-TGY", 500))
    assert doc == "SO-000001"
    assert [v.number for v in store.for_document("FZ", doc)] == ["记-0001", "记-0002"]


def test_an_item_at_another_rate(engine: Engine, world: World, store: VoucherStore) -> None:
    items = tuple(i.model_copy(update={"tax": "VAT9"}) if i.code == "TEA-LC" else i for i in world.items)
    nine = world.model_copy(update={"items": items})
    load_world_into(engine, nine)
    ledger = Ledger(engine, nine, on_sale=Books(engine, nine).on_sale)
    doc = sell(ledger, ("TEA-LC", 500), ("TEA-TGY", 500))  # 76.00 at 9 %, 168.00 at 13 %
    assert amounts(store, doc)[VoucherEvent.sale] == [
        ("1122", Decimal("244.00"), 0),
        ("6001", 0, Decimal("148.67")), ("22210102", 0, Decimal("19.33")),
        ("6001", 0, Decimal("69.72")), ("22210102", 0, Decimal("6.28"))]


def test_the_variance_in_words(world: World) -> None:
    from assistant.dialogue.errors import describe

    error = VoucherVariance("SO-000007", Decimal("169.01"), Decimal("168.00"), Decimal("0.005"))
    assert describe(world, error, "zh") == ("单据SO-000007的金额169.01元和凭证金额168.00元相差超过0.5%，"
                                            "没有确认，也没有记账。请重新报一遍价格。")
    assert describe(world, error, "en").startswith("Document SO-000007 comes to 169.01 but its voucher to 168.00: "
                                                   "more than 0.5 % apart")


def test_a_cancelled_sale_is_reversed_in_red_once(ledger: Ledger, books: Books, store: VoucherStore,
                                                   engine: Engine) -> None:
    doc = sell(ledger, ("TEA-TGY", 500))
    books.receive("FZ", "TEA-TGY", d(24500), Decimal("0.20"))  # the average moves on before the goods come back
    ledger.cancel_document(doc)
    vouchers = {v.event: v for v in store.for_document("FZ", doc)}
    assert list(vouchers) == [VoucherEvent.sale, VoucherEvent.delivery, VoucherEvent.sale_reversal,
                              VoucherEvent.delivery_reversal]
    red = vouchers[VoucherEvent.sale_reversal]
    assert [(line.account, line.debit, line.credit) for line in red.lines] == [
        ("1122", Decimal("-168.00"), 0), ("6001", 0, Decimal("-148.67")), ("22210102", 0, Decimal("-19.33"))]
    assert red.summary.startswith("冲销 销售 ")
    assert red.date == dt.datetime.now(dt.UTC).date()  # dated when cancelled (numbered in that month)
    assert vouchers[VoucherEvent.delivery_reversal].debit == Decimal("-86.00")
    with Session(engine) as session:  # 24500 at 0.172 + 24500 at 0.20, and the 500 back at 0.172
        row = session.get(ItemCost, ("FZ", "TEA-TGY"))
        assert row is not None and (row.qty, row.unit_cost) == (d(49500), Decimal("0.185859"))
    with Session(engine) as session, session.begin():
        doc_row = session.get(models.Document, doc)
        assert doc_row is not None
        assert books.reverse_sale(session, doc_row) == []  # reversed once


def test_an_unpriced_sale_posts_its_cost_only(ledger: Ledger, store: VoucherStore) -> None:
    plan = ledger.plan_sales_order("DG", "C000", DAY, [("CS-1001", d(2))])
    doc = ledger.confirm_sales_order(plan, device="PAD-DG", worker="W03", turn_id="t1").id
    [voucher] = store.for_document("DG", doc)
    assert voucher.event is VoucherEvent.delivery
    assert [(line.account, line.debit, line.credit) for line in voucher.lines] == [
        ("6401", Decimal("1700.00"), 0), ("1405", 0, Decimal("1700.00"))]
