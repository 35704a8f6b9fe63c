"""The contracts table's bookkeeping: claim sales orders to put into contracts, store a signed one with its
`contract.signed` document event, record a failure, and read contracts back.

Exactly once with any number of app processes: a confirmed sale is claimed by inserting its row (the document id is
the key: a second process inserting the same one is refused and looks again); a claim carries a token and a lease,
and only the holder of the current token can store the PDF, in the same transaction as the document event. A row
whose process died is claimed again when its lease ends (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a
time). Confirmations older than `lookback_h` are not looked at (a first start does not sign the whole history)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Sequence

import structlog
from sqlalchemy import Engine, Select, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.contracts.build import contract_number
from assistant.contracts.models import ContractRow, ContractStatus
from assistant.contracts.views import Claim, ContractInfo, SignedContract
from assistant.ledger import models as ledger
from assistant.ledger.db import read_only
from assistant.ledger.states import DocStatus, DocType, Milestone
from assistant.ledger.types import utcnow

log = structlog.get_logger(__name__)
Clock = Callable[[], dt.datetime]
MAX_ERROR = 500  # characters of a failure kept on the row
_ATTEMPTS = 3
SIGNABLE = (str(DocStatus.confirmed), str(DocStatus.done))  # a sale cancelled meanwhile gets no contract


class ContractStore:
    """Blocking database work: call it from a worker thread."""

    def __init__(self, engine: Engine, sites: Collection[str], *, lookback_h: float = 24.0,
                 clock: Clock = utcnow) -> None:
        self._sites = sorted(sites)  # the sites with a company: only their sales get contracts
        self._lookback = dt.timedelta(hours=lookback_h)
        self._clock = clock
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(engine), expire_on_commit=False)

    # --- claiming ----------------------------------------------------------------------------------------------

    def claim(self, limit: int, lease_s: float) -> list[Claim]:
        """New confirmed sales (their rows inserted now) and pending rows due again, up to `limit`, each held for
        `lease_s` seconds."""
        if not self._sites or not self._anything(self._clock()):
            return []
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._write.begin() as session:
                    return self._claim(session, limit, lease_s)
            except IntegrityError:  # another process inserted one of them first: look again
                if attempt == _ATTEMPTS:
                    raise
                log.info("contracts.claim_raced", attempt=attempt)
        raise AssertionError("unreachable")

    def _fresh(self, now: dt.datetime, limit: int) -> Select[tuple[str, str]]:
        """Confirmed sales of the sites with a company that have no row yet, oldest first."""
        doc, change = ledger.Document, ledger.DocumentEvent
        has_row = exists().where(ContractRow.document_id == change.document_id)
        return (select(change.document_id, doc.site).join(doc, doc.id == change.document_id)
                .where(doc.type == str(DocType.sales_order), change.to_status == str(DocStatus.confirmed),
                       change.ts >= now - self._lookback, doc.site.in_(self._sites), doc.status.in_(SIGNABLE),
                       ~has_row)
                .order_by(change.id).limit(limit))

    def _due(self, now: dt.datetime, limit: int, besides: Collection[str] = ()) -> Select[tuple[ContractRow]]:
        """Pending rows whose lease (or retry delay) is over."""
        return (select(ContractRow).where(ContractRow.status == str(ContractStatus.pending),
                                          ContractRow.claimed_until <= now, ContractRow.site.in_(self._sites),
                                          ContractRow.document_id.not_in(list(besides)))
                .order_by(ContractRow.claimed_until).limit(limit))

    def _anything(self, now: dt.datetime) -> bool:
        """Whether a claim would find work: read first, so an idle poll never takes SQLite's write lock."""
        with self._read.begin() as session:
            return (session.execute(self._fresh(now, 1)).first() is not None
                    or session.execute(self._due(now, 1)).first() is not None)

    def _claim(self, session: Session, limit: int, lease_s: float) -> list[Claim]:
        now = self._clock()
        lease_end = now + dt.timedelta(seconds=lease_s)
        claims: list[Claim] = []
        fresh = session.execute(self._fresh(now, limit)).all()
        for document_id, site in dict.fromkeys((r.document_id, r.site) for r in fresh):
            token = str(uuid.uuid4())
            number = contract_number(document_id, site)
            session.add(ContractRow(document_id=document_id, number=number, site=site,
                                    status=str(ContractStatus.pending), claim=token, claimed_until=lease_end,
                                    attempts=0, created_at=now))
            claims.append(Claim(document_id, number, site, token, 0))
        session.flush()
        if len(claims) < limit:
            due = session.scalars(self._due(now, limit - len(claims), [c.document_id for c in claims])
                                  .with_for_update(skip_locked=True)).all()
            for row in due:
                row.claim, row.claimed_until = str(uuid.uuid4()), lease_end
                claims.append(Claim(row.document_id, row.number, row.site, row.claim, row.attempts))
        return claims

    # --- results -----------------------------------------------------------------------------------------------

    def signed(self, claim: Claim, pdf: bytes, sha256: str) -> bool:
        """Store the signed PDF and record the `contract.signed` document event, in one transaction; False when the
        claim is no longer this process's (its lease ended and another took it): nothing is written."""
        now = self._clock()
        with self._write.begin() as session:
            stored = session.execute(
                update(ContractRow)
                .where(ContractRow.document_id == claim.document_id, ContractRow.claim == claim.token,
                       ContractRow.status == str(ContractStatus.pending))
                .values(status=str(ContractStatus.signed), pdf=pdf, sha256=sha256, signed_at=now, claim=None,
                        attempts=ContractRow.attempts + 1, last_error=None),
                execution_options={"synchronize_session": False})
            if stored.rowcount != 1:  # type: ignore[attr-defined]
                return False
            status = session.scalar(select(ledger.Document.status).where(ledger.Document.id == claim.document_id))
            session.add(ledger.DocumentEvent(document_id=claim.document_id, turn_id=None, from_status=status,
                                             to_status=str(Milestone.contract_signed), ts=now))
        return True

    def failed(self, claim: Claim, error: str, retry_in_s: float | None) -> None:
        """One more failed attempt; `retry_in_s` None gives up (the row stays `failed` with its reason)."""
        now = self._clock()
        values: dict[str, object] = {"attempts": ContractRow.attempts + 1, "last_error": error[:MAX_ERROR],
                                     "claim": None}
        if retry_in_s is None:
            values["status"] = str(ContractStatus.failed)
        else:
            values["claimed_until"] = now + dt.timedelta(seconds=retry_in_s)
        with self._write.begin() as session:
            session.execute(update(ContractRow)
                            .where(ContractRow.document_id == claim.document_id, ContractRow.claim == claim.token,
                                   ContractRow.status == str(ContractStatus.pending))
                            .values(**values), execution_options={"synchronize_session": False})

    def release(self, claims: Sequence[Claim]) -> None:
        """Give back claims not finished (a stopping service): due again now."""
        if not claims:
            return
        with self._write.begin() as session:
            for claim in claims:
                session.execute(update(ContractRow)
                                .where(ContractRow.document_id == claim.document_id,
                                       ContractRow.claim == claim.token,
                                       ContractRow.status == str(ContractStatus.pending))
                                .values(claimed_until=self._clock(), claim=None),
                                execution_options={"synchronize_session": False})

    # --- reading -----------------------------------------------------------------------------------------------

    def next_due(self) -> dt.datetime | None:
        with self._read.begin() as session:
            due: dt.datetime | None = session.scalar(
                select(func.min(ContractRow.claimed_until)).where(ContractRow.status == str(ContractStatus.pending),
                                                                  ContractRow.site.in_(self._sites)))
        if due is not None and due.tzinfo is None:  # an aggregate skips the column type on SQLite
            due = due.replace(tzinfo=dt.UTC)
        return due

    def info(self, document_id: str) -> ContractInfo | None:
        with self._read.begin() as session:
            row = session.execute(
                select(ContractRow.document_id, ContractRow.number, ContractRow.site, ContractRow.status,
                       ContractRow.sha256, ContractRow.signed_at, ContractRow.attempts, ContractRow.last_error)
                .where(ContractRow.document_id == document_id)).first()
        if row is None:
            return None
        return ContractInfo(document_id=row.document_id, number=row.number, site=row.site,
                            status=ContractStatus(row.status), sha256=row.sha256, signed_at=row.signed_at,
                            attempts=row.attempts, last_error=row.last_error)

    def signed_contract(self, document_id: str) -> SignedContract | None:
        with self._read.begin() as session:
            row = session.get(ContractRow, document_id)
            if row is None or row.status != ContractStatus.signed or row.pdf is None or row.sha256 is None \
                    or row.signed_at is None:
                return None
            return SignedContract(document_id=row.document_id, number=row.number, site=row.site, sha256=row.sha256,
                                  signed_at=row.signed_at, pdf=row.pdf)
