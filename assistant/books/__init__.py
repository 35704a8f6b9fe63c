"""The books (业财一体化): a confirmed sale posts balanced vouchers — receivable / revenue / output VAT, and cost of
goods sold / inventory at the moving-average cost — in the confirmation's own transaction. See docs/books.md."""

from assistant.books.errors import UnbalancedVoucher, VoucherVariance
from assistant.books.export import vouchers_csv
from assistant.books.models import BooksBase, VoucherEvent
from assistant.books.posting import Books
from assistant.books.store import VoucherStore
from assistant.books.views import VoucherLineView, VoucherView

__all__ = ["Books", "BooksBase", "UnbalancedVoucher", "VoucherEvent", "VoucherLineView", "VoucherStore",
           "VoucherVariance", "VoucherView", "vouchers_csv"]
