"""Documents as the API shows them: ledger documents, the AGV orders behind transfers, and drafts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class CustomerOut(BaseModel):
    code: str
    name: str


class PickOut(_Out):
    from_location: str | None = Field(alias="from")
    qty_base: float


class DocumentLineOut(_Out):
    item: str
    item_name: str
    qty_base: float
    from_location: str | None = Field(alias="from")
    to_location: str | None = Field(alias="to")
    unit_price: float | None = None
    line_total: float | None = None
    lot: str | None = None
    expiry: str | None = None  # ISO date
    picks: list[PickOut] | None = None  # sales orders: one line per item, taken from these locations


class ContractOut(BaseModel):
    """A sales order's signed purchase-sale contract (PAdES, the seller's company certificate)."""

    number: str  # HT-FS-SO-000123
    url: str  # the PDF: GET /api/v1/documents/{id}/contract.pdf
    sha256: str  # of the PDF, hex
    signed_at: str  # ISO time


class DocumentOut(BaseModel):
    type: Literal["transfer", "sales_order"]
    id: str
    status: str  # draft | awaiting_approval | confirmed | in_progress | done | cancelled | rejected
    site: str
    customer: CustomerOut | None
    date: str | None  # ISO date of a sales order
    lines: list[DocumentLineOut]
    total: float | None = None
    turn_id: str | None
    created_at: str
    decided_by: str | None = None  # the worker who approved or rejected a transfer that waited for approval
    turns: list[str] = []  # the turns that made it and changed its status: GET /api/v1/turns/{id}
    delivery_date: str | None = None  # ISO date: a sales order delivered at the latest on this day
    delivery_place: str | None = None  # where a sales order's goods go (the customer's address unless said)
    # Its signed contract, on GET /api/v1/documents/{id} (null there until signed, and for documents that get none;
    # not looked up where documents are listed with a turn)
    contract: ContractOut | None = None


class AgvLegOut(_Out):
    from_location: str = Field(alias="from")
    to_location: str = Field(alias="to")


class AgvOrderOut(BaseModel):
    """The AGV order behind a transfer (`transfer` links them), listed with the turn's documents."""

    type: Literal["agv_order"] = "agv_order"
    id: str
    status: str  # waiting | assigned | picked | done | cancelled
    transfer: str
    site: str
    agv: str | None
    lines: list[AgvLegOut]
    route_m: float | None
    message: str | None  # why it waits, in Mandarin
    message_en: str | None


TurnDocumentOut = Annotated[DocumentOut | AgvOrderOut, Field(discriminator="type")]


class DraftCustomerOut(BaseModel):
    code: str | None
    name: str
    new: bool  # a name not yet a customer: registered with the confirmed order


class DraftLineOut(_Out):
    item: str
    item_name: str
    qty_base: float
    qty_text: str  # "2斤(1000克)"
    lot: str | None = None
    expiry: str | None = None
    from_location: str | None = Field(default=None, alias="from")
    to_location: str | None = Field(default=None, alias="to")
    unit_price: float | None = None
    price_unit: str | None = None
    price_text: str | None = None
    line_total: float | None = None


class DraftOut(BaseModel):
    """The command read back and waiting for a yes, in the shape of the document it will write."""

    id: str  # the read-back's fingerprint: a confirm tap sends it back as `draft`
    type: Literal["transfer", "sales_order"]
    status: Literal["draft"] = "draft"
    site: str
    customer: DraftCustomerOut | None = None
    date: str | None = None
    lines: list[DraftLineOut]
    total: float | None = None
