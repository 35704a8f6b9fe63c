"""Reading the posted vouchers: a document's, and a site's over a date range (for the export)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import selectinload, sessionmaker

from assistant.books.models import Voucher, VoucherEvent
from assistant.books.views import VoucherLineView, VoucherView, voucher_number
from assistant.ledger.db import read_only
from assistant.world.schema import Account, World


class VoucherStore:
    def __init__(self, engine: Engine, world: World) -> None:
        self._read = sessionmaker(read_only(engine), expire_on_commit=False)
        accounts = world.books.accounts if world.books is not None else ()
        self._accounts: dict[str, Account] = {a.code: a for a in accounts}

    def for_document(self, site: str, document: str) -> list[VoucherView]:
        """The document's vouchers if it belongs to `site` (another site's: none), in posting order."""
        return self._load(select(Voucher).where(Voucher.site == site, Voucher.document_id == document)
                          .order_by(Voucher.id))

    def between(self, site: str, first: dt.date | None, last: dt.date | None) -> list[VoucherView]:
        """The site's vouchers dated `first`..`last` (both included; None: open), by date and number."""
        query = select(Voucher).where(Voucher.site == site)
        if first is not None:
            query = query.where(Voucher.date >= first)
        if last is not None:
            query = query.where(Voucher.date <= last)
        return self._load(query.order_by(Voucher.date, Voucher.period, Voucher.number))

    def _load(self, query: Select[tuple[Voucher]]) -> list[VoucherView]:
        with self._read() as session, session.begin():
            rows: Sequence[Voucher] = session.scalars(query.options(selectinload(Voucher.lines))).all()
            return [self._view(row) for row in rows]

    def _view(self, row: Voucher) -> VoucherView:
        lines = tuple(VoucherLineView(line_no=line.line_no, account=line.account,
                                      account_name=self._name(line.account, "zh"),
                                      account_name_en=self._name(line.account, "en"), summary=line.summary,
                                      debit=line.debit, credit=line.credit) for line in row.lines)
        return VoucherView(id=row.id, site=row.site, number=voucher_number(row.number), date=row.date,
                           document=row.document_id, event=VoucherEvent(row.event), summary=row.summary, lines=lines,
                           debit=sum((line.debit for line in lines), Decimal(0)),
                           credit=sum((line.credit for line in lines), Decimal(0)))

    def _name(self, code: str, lang: str) -> str:
        account = self._accounts.get(code)
        if account is None:
            return code  # an account since removed from the world file: its code is all there is
        return account.name_en if lang == "en" else account.name
