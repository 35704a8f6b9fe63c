"""Safety-stock alerts: one row per breach (at most one open per site and item), and the outbox of their deliveries
(one per alert and target).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "status = 'open'"


def upgrade() -> None:
    op.create_table(
        "stock_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("document", sa.String(length=16), nullable=True),
        sa.Column("turn_id", sa.String(length=64), nullable=True),
        sa.Column("available", sa.Numeric(18, 3), nullable=False),
        sa.Column("minimum", sa.Numeric(18, 3), nullable=False),
        sa.Column("consumption", sa.Numeric(18, 3), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Numeric(8, 2), nullable=False),
        sa.Column("order_multiple", sa.Integer(), nullable=False),
        sa.Column("suggested", sa.Numeric(18, 3), nullable=False),
        sa.Column("checked_move_id", sa.Integer(), nullable=False),
        sa.Column("checked_level", sa.Numeric(18, 3), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_level", sa.Numeric(18, 3), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_stock_alerts_status"),
        sa.PrimaryKeyConstraint("id", name="pk_stock_alerts"),
    )
    op.create_index("ix_stock_alerts_status", "stock_alerts", ["status"])
    op.create_index("uq_stock_alerts_open_site_item", "stock_alerts", ["site", "item"], unique=True,
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent')", name="ck_alert_deliveries_status"),
        sa.ForeignKeyConstraint(["alert_id"], ["stock_alerts.id"], name="fk_alert_deliveries_alert_id_stock_alerts"),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
        sa.UniqueConstraint("alert_id", "target", name="uq_alert_deliveries_alert_id_target"),
    )
    op.create_index("ix_alert_deliveries_status_next_attempt_at", "alert_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_status_next_attempt_at", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("uq_stock_alerts_open_site_item", table_name="stock_alerts")
    op.drop_index("ix_stock_alerts_status", table_name="stock_alerts")
    op.drop_table("stock_alerts")
