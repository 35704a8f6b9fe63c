"""The books: vouchers and their lines (one per document event: sale, delivery, and their reversals), voucher numbers
per site and month, and the moving-average cost per site and item. Each hangs off a ledger row with ON DELETE CASCADE,
so a demo reset clears it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("document_id", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("event IN ('sale', 'delivery', 'sale_reversal', 'delivery_reversal')",
                           name="ck_vouchers_event"),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name="fk_vouchers_site_sites", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_vouchers_document_id_documents",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_vouchers"),
        sa.UniqueConstraint("document_id", "event", name="uq_vouchers_document_id_event"),
        sa.UniqueConstraint("site", "period", "number", name="uq_vouchers_site_period_number"),
    )
    op.create_table(
        "voucher_lines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("debit", sa.Numeric(18, 2), nullable=False),
        sa.Column("credit", sa.Numeric(18, 2), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=True),
        sa.Column("qty", sa.Numeric(18, 3), nullable=True),
        sa.CheckConstraint("debit = 0 OR credit = 0", name="ck_voucher_lines_one_side"),
        sa.ForeignKeyConstraint(["voucher_id"], ["vouchers.id"], name="fk_voucher_lines_voucher_id_vouchers",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_voucher_lines"),
        sa.UniqueConstraint("voucher_id", "line_no", name="uq_voucher_lines_voucher_id_line_no"),
    )
    op.create_table(
        "voucher_counters",
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name="fk_voucher_counters_site_sites", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site", "period", name="pk_voucher_counters"),
    )
    op.create_table(
        "item_costs",
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("qty", sa.Numeric(18, 3), nullable=False),
        sa.Column("unit_cost", sa.Numeric(18, 6), nullable=False),
        sa.CheckConstraint("unit_cost >= 0", name="ck_item_costs_unit_cost_nonnegative"),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name="fk_item_costs_site_sites", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item"], ["items.code"], name="fk_item_costs_item_items", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site", "item", name="pk_item_costs"),
    )


def downgrade() -> None:
    op.drop_table("item_costs")
    op.drop_table("voucher_counters")
    op.drop_table("voucher_lines")
    op.drop_table("vouchers")
