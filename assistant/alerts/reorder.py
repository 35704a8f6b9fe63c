"""How much of an item left storage lately, and how much to reorder.

Consumption over the last `window_days`: the quantity on the lines of the site's confirmed outgoing documents of
the item created in the window, taken from storage (rack, store, shelf):
  - sales orders that are confirmed or done (stock leaves at confirmation; a cancelled sale gave it back);
  - transfers that are confirmed, in progress or done, to a location that is not storage (a production line, QC, a
    dock): the line asked for the goods, whether or not the AGV has delivered them yet. Moves between two storage
    locations are not consumption. Drafts, transfers awaiting approval, rejected and cancelled documents are not.

Suggested reorder (`suggest`):
  daily     = consumption / window_days
  shortfall = minimum + daily * lead_time_days - available
  suggested = ceil(shortfall / multiple) * multiple       (0 when shortfall <= 0)
i.e. enough to cover the demand expected while the order is on its way and still be at the safety stock when it
arrives; `multiple` is the item's box size (or a configured order multiple; 1 otherwise), so the suggestion is
whole boxes."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from assistant.ledger import models as ledger
from assistant.ledger.states import DocStatus, DocType

ZERO = Decimal(0)
QTY_PLACES = Decimal("0.001")
_SALE_COUNTS = (str(DocStatus.confirmed), str(DocStatus.done))
_TRANSFER_COUNTS = (str(DocStatus.confirmed), str(DocStatus.in_progress), str(DocStatus.done))


def consumption(session: Session, site: str, item: str, storage: Collection[str], since: dt.datetime) -> Decimal:
    """The item's confirmed outgoing quantity at the site from storage since `since` (see the module docstring)."""
    doc, line = ledger.Document, ledger.DocumentLine
    places = sorted(storage)
    total = session.scalar(
        select(func.coalesce(func.sum(line.qty_base), 0))
        .select_from(line).join(doc, doc.id == line.document_id)
        .where(doc.site == site, line.item == item, doc.created_at >= since, line.from_location.in_(places),
               or_(and_(doc.type == str(DocType.sales_order), doc.status.in_(_SALE_COUNTS)),
                   and_(doc.type == str(DocType.transfer), doc.status.in_(_TRANSFER_COUNTS),
                        or_(line.to_location.is_(None), line.to_location.not_in(places)))))
    )
    return Decimal(str(total if total is not None else 0)).quantize(QTY_PLACES)


def daily_usage(consumed: Decimal, window_days: int) -> Decimal:
    return consumed / Decimal(window_days)


def suggest(*, available: Decimal, minimum: Decimal, consumed: Decimal, window_days: int,
            lead_time_days: Decimal, multiple: int) -> Decimal:
    """The suggested reorder quantity in the base unit (the formula of the module docstring)."""
    if window_days < 1 or multiple < 1:
        raise ValueError("window_days and multiple must be at least 1")
    # Multiplied before dividing, and rounded to the ledger's precision, so exact figures stay exact (no 10.0000001).
    lead_demand = consumed * lead_time_days / Decimal(window_days)
    shortfall = (minimum + lead_demand - available).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)
    if shortfall <= 0:
        return ZERO.quantize(QTY_PLACES)
    units = math.ceil(shortfall / Decimal(multiple))
    return (Decimal(units) * multiple).quantize(QTY_PLACES)
