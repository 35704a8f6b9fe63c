"""Errors of the books. A `LedgerError` like the ledger's own (a code and fields, no text): it ends the confirmation
it happens in, so the sale and its vouchers are written together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from assistant.ledger.errors import LedgerError


@dataclass(eq=False)
class VoucherVariance(LedgerError):
    """The document's total (as read back) and its voucher's are further apart than the books allow."""

    code: ClassVar[str] = "voucher_variance"
    document: str | None  # None: refused before the document got its number
    document_total: Decimal
    voucher_total: Decimal
    limit: Decimal  # a fraction: 0.005 is 0.5 %


@dataclass(eq=False)
class UnbalancedVoucher(LedgerError):
    """A voucher whose debits and credits differ: a bug, never posted."""

    code: ClassVar[str] = "unbalanced_voucher"
    document: str
    debit: Decimal
    credit: Decimal
