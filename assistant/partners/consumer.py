"""The consumer of the ledger's document events: a sales order reaching `confirmed` or a transfer reaching `done`
becomes one partner event (a UUID, the body every partner is sent) with one delivery row per partner subscribed to
its type and site, in one transaction.

The source is `document_events` (one row per status change, written in the change's transaction, and per milestone
such as a contract signed), not the
`ledger_events` outbox: that one has a single `delivered` flag owned by the alerts, and would need the ledger to
write new kinds. Whether a status change was consumed is the existence of its partner event (unique per
(document, type)), so nothing depends on ids committing in order; status changes older than `lookback_h` are not
looked at (a first start does not push the whole history). Two consumers racing insert the same (document, type):
the unique constraint refuses the second, whose pass is run again and finds it done."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import ColumnElement, Engine, and_, case, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from assistant.contracts.models import ContractRow
from assistant.ledger import models as ledger
from assistant.ledger.db import read_only
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocStatus, DocType, Milestone
from assistant.ledger.types import utcnow
from assistant.partners.config import EventType, Partner, PartnerRules
from assistant.partners.models import DeliveryStatus, PartnerDelivery, PartnerEvent

log = structlog.get_logger(__name__)

Clock = Callable[[], dt.datetime]
_ATTEMPTS = 3
# (document type, status or milestone reached) -> the event partners are told
SOURCES: dict[tuple[DocType, DocStatus | Milestone], EventType] = {
    (DocType.sales_order, DocStatus.confirmed): EventType.sales_order_confirmed,
    (DocType.transfer, DocStatus.done): EventType.transfer_done,
    (DocType.sales_order, Milestone.contract_signed): EventType.contract_signed,
}
_REACHED = {str(reached): reached for _, reached in SOURCES}


@dataclass(frozen=True)
class _Change:
    id: int
    document_id: str
    type: EventType
    site: str
    ts: dt.datetime


def body_of(event_id: str, event: EventType, occurred_at: dt.datetime, site: str, document: dict[str, object],
            contract: dict[str, str] | None = None) -> str:
    """The JSON a partner receives: {"id", "type", "occurred_at", "site", "document"}, and for `contract.signed`
    "contract": {"number", "sha256", "signed_at"} (the SHA-256 of the signed PDF the customer received)."""
    body: dict[str, object] = {"id": event_id, "type": str(event), "occurred_at": occurred_at.isoformat(),
                               "site": site, "document": document}
    if contract is not None:
        body["contract"] = contract
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class PartnerConsumer:
    """Blocking database work: call `consume` from a worker thread. Returns the new partner events' ids."""

    def __init__(self, engine: Engine, ledger_service: Ledger, partners: Sequence[Partner],
                 rules: PartnerRules | None = None, *, clock: Clock = utcnow) -> None:
        self._ledger = ledger_service
        self._partners = list(partners)
        self._rules = rules or PartnerRules()
        self._clock = clock
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(engine))

    def consume(self) -> list[str]:
        for attempt in range(1, _ATTEMPTS + 1):
            changes = self._pending()
            if not changes:
                return []
            rows = [self._event(change) for change in changes]
            try:
                with self._write.begin() as session:
                    for event, deliveries in rows:
                        if event is not None:
                            session.add(event)
                            session.flush()
                            session.add_all(deliveries)
                return [event.id for event, _ in rows if event is not None]
            except IntegrityError:  # another consumer recorded one of them first
                if attempt == _ATTEMPTS:
                    raise
                log.info("partners.consume_raced", attempt=attempt)
        raise AssertionError("unreachable")

    def _pending(self) -> list[_Change]:
        """Status changes worth an event that have none yet, oldest first."""
        doc, change = ledger.Document, ledger.DocumentEvent
        wanted = or_(*(and_(doc.type == str(t), change.to_status == str(s)) for t, s in SOURCES))
        recorded = exists().where(PartnerEvent.document_id == change.document_id,
                                  PartnerEvent.type == _event_type_sql(doc.__table__.c.type,
                                                                       change.__table__.c.to_status))
        since = self._clock() - dt.timedelta(hours=self._rules.lookback_h)
        with self._read.begin() as session:
            rows = session.execute(
                select(change.id, change.document_id, doc.type, change.to_status, doc.site, change.ts)
                .join(doc, doc.id == change.document_id)
                .where(wanted, change.ts >= since, ~recorded)
                .order_by(change.id).limit(self._rules.batch_size)).all()
        return [_Change(id=r.id, document_id=r.document_id, type=SOURCES[DocType(r.type), _REACHED[r.to_status]],
                        site=r.site, ts=r.ts) for r in rows]

    def _event(self, change: _Change) -> tuple[PartnerEvent | None, list[PartnerDelivery]]:
        try:
            document = self._ledger.document(change.document_id)
        except DocumentNotFound:  # reset meanwhile
            return None, []
        contract = self._contract(change.document_id) if change.type is EventType.contract_signed else None
        event_id = str(uuid.uuid4())
        now = self._clock()
        event = PartnerEvent(id=event_id, document_id=change.document_id, type=str(change.type), site=change.site,
                             source_event=change.id, occurred_at=change.ts, created_at=now,
                             body=body_of(event_id, change.type, change.ts, change.site,
                                          document.model_dump(mode="json", exclude={"low_stock"}), contract))
        deliveries = [PartnerDelivery(event_id=event_id, document_id=change.document_id, site=change.site,
                                      partner=p.name, status=str(DeliveryStatus.pending), attempts=0,
                                      next_attempt_at=now, created_at=now)
                      for p in self._partners if p.wants(change.type, change.site)]
        log.info("partners.event", event_id=event_id, type=str(change.type), document=change.document_id,
                 partners=[d.partner for d in deliveries])
        return event, deliveries


    def _contract(self, document_id: str) -> dict[str, str] | None:
        with self._read.begin() as session:
            row = session.execute(select(ContractRow.number, ContractRow.sha256, ContractRow.signed_at)
                                  .where(ContractRow.document_id == document_id)).first()
        if row is None or row.sha256 is None or row.signed_at is None:
            return None
        return {"number": row.number, "sha256": row.sha256, "signed_at": row.signed_at.isoformat()}


def _event_type_sql(doc_type: ColumnElement[str], reached: ColumnElement[str]) -> ColumnElement[str]:
    """The event type a source change (document type, status or milestone reached) maps to, as SQL."""
    return case(*((and_(doc_type == str(t), reached == str(r)), str(e)) for (t, r), e in SOURCES.items()))
