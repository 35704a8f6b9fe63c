"""Partner push: one row per document event for partners (with the body sent) and one delivery row per (event,
partner), both hanging off the document with ON DELETE CASCADE, so a demo reset clears them.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("source_event", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_partner_events_document_id_documents",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_partner_events"),
        sa.UniqueConstraint("document_id", "type", name="uq_partner_events_document_id_type"),
    )
    op.create_table(
        "partner_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'delivered')", name="ck_partner_deliveries_status"),
        sa.ForeignKeyConstraint(["event_id"], ["partner_events.id"],
                                name="fk_partner_deliveries_event_id_partner_events", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_partner_deliveries"),
        sa.UniqueConstraint("event_id", "partner", name="uq_partner_deliveries_event_id_partner"),
    )
    op.create_index("ix_partner_deliveries_status_next_attempt_at", "partner_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index("ix_partner_deliveries_document_id", "partner_deliveries", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_partner_deliveries_document_id", table_name="partner_deliveries")
    op.drop_index("ix_partner_deliveries_status_next_attempt_at", table_name="partner_deliveries")
    op.drop_table("partner_deliveries")
    op.drop_table("partner_events")
