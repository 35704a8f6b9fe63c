"""The contracts table (own metadata, created by Alembic revision 0012): one row per sales order put into a contract,
from the moment a process claims it until it is signed, with the signed PDF itself.

The PDF bytes live in the row, not in a file under var/: the app may run as several processes on several boxes over
one PostgreSQL, and each must serve any contract; a row is written in the same transaction as its `contract.signed`
document event, and goes with its document on a demo reset (ON DELETE CASCADE). A contract is some 150 KB."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.ledger import models as ledger
from assistant.ledger.models import NAMING
from assistant.ledger.types import UtcDateTime


class ContractStatus(StrEnum):
    pending = "pending"  # claimed by a process (until `claimed_until`), or waiting for a retry after a failure
    signed = "signed"  # the PDF is here
    failed = "failed"  # given up: `last_error` says why (no company details, no price, the certificate)


class ContractsBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ContractRow(ContractsBase):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'signed', 'failed')", name="status"),
        Index("ix_contracts_status_claimed_until", "status", "claimed_until"),
    )

    # One contract per sales order: the document is the key.
    document_id: Mapped[str] = mapped_column(ForeignKey(ledger.Document.id, ondelete="CASCADE"), primary_key=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    site: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    claim: Mapped[str | None] = mapped_column(String(36))  # the current claim's token: only its holder may sign
    claimed_until: Mapped[dt.datetime] = mapped_column(UtcDateTime)  # a pending row is due again after this
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))  # of `pdf`, hex
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
