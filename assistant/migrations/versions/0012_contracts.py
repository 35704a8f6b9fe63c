"""Contracts: one row per sales order put into a purchase-sale contract (claimed, then signed with its PDF), hanging
off the document with ON DELETE CASCADE, so a demo reset clears it.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("document_id", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claim", sa.String(length=36), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'signed', 'failed')", name="ck_contracts_status"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_contracts_document_id_documents",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", name="pk_contracts"),
        sa.UniqueConstraint("number", name="uq_contracts_number"),
    )
    op.create_index("ix_contracts_status_claimed_until", "contracts", ["status", "claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_contracts_status_claimed_until", table_name="contracts")
    op.drop_table("contracts")
