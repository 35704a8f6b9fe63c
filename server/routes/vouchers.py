"""The vouchers confirmed sales posted, for the supervisors and managers of a site (the policies' `review`
permission): a document's, and the site's over a date range as the CSV a bookkeeping system imports. Another site's
vouchers do not exist for the caller."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from assistant.access import check
from assistant.books import VoucherView, vouchers_csv
from assistant.pipeline import TurnContext
from assistant.world.schema import Permission
from server.deps import DeviceDep, ServicesDep
from server.errors import ApiError
from server.schemas.errors import error_responses
from server.schemas.vouchers import VoucherLineOut, VoucherOut
from server.services import Services

router = APIRouter(prefix="/api/v1", tags=["vouchers"])
_ERRORS = error_responses(401, 403, 422)


def _may_review(services: Services, caller: TurnContext) -> None:
    if check(services.world, caller.worker, Permission.review) is not None:
        raise ApiError("vouchers-not-permitted", caller.language)


def _out(voucher: VoucherView) -> VoucherOut:
    return VoucherOut(id=voucher.id, number=voucher.number, date=voucher.date, document=voucher.document,
                      event=str(voucher.event), summary=voucher.summary, debit=voucher.debit, credit=voucher.credit,
                      lines=[VoucherLineOut.model_validate(line.model_dump()) for line in voucher.lines])


@router.get("/vouchers", response_model=list[VoucherOut], responses=_ERRORS)
async def list_vouchers(caller: DeviceDep, services: ServicesDep,
                        document: Annotated[str, Query(max_length=16, description="a document id, e.g. SO-000001")],
                        ) -> list[VoucherOut]:
    """The document's vouchers, in posting order (none: not posted, not a sale, or not this site's)."""
    _may_review(services, caller)
    vouchers = await asyncio.to_thread(services.vouchers.for_document, caller.site, document)
    return [_out(v) for v in vouchers]


@router.get("/vouchers.csv", response_class=Response,
            responses={**_ERRORS, 200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                                        "description": "one row per voucher line"}})
async def export_vouchers(caller: DeviceDep, services: ServicesDep,
                          first: Annotated[dt.date | None, Query(alias="from", description="first date, included")]
                          = None,
                          last: Annotated[dt.date | None, Query(alias="to", description="last date, included")]
                          = None) -> Response:
    """The site's vouchers dated from..to as CSV (日期, 凭证字号, 摘要, 科目编码, 科目名称, 借方, 贷方), UTF-8 with
    a BOM."""
    _may_review(services, caller)
    vouchers = await asyncio.to_thread(services.vouchers.between, caller.site, first, last)
    name = f"vouchers-{caller.site}-{first or 'start'}-{last or 'now'}.csv"
    return Response(vouchers_csv(vouchers).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
