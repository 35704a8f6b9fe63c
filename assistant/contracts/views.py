"""What the contracts hand out: plain values, detached from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.contracts.models import ContractStatus


@dataclass(frozen=True)
class ContractInfo:
    """A document's contract as the document lists it (no PDF bytes)."""

    document_id: str
    number: str
    site: str
    status: ContractStatus
    sha256: str | None
    signed_at: dt.datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class SignedContract:
    document_id: str
    number: str
    site: str
    sha256: str
    signed_at: dt.datetime
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


@dataclass(frozen=True)
class Claim:
    """A sales order this process holds (until its lease ends) to put into a contract."""

    document_id: str
    number: str
    site: str
    token: str  # only this claim may store the signed PDF
    attempts: int  # failed attempts before this one
