"""The fleet link's tables: AGV orders linked to transfers, and the outbox of messages to vehicles.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Before this revision the fleet link created its tables itself; an installation that ran then has them.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if {"fleet_transfers", "fleet_outbox"} <= existing:
        return
    op.create_table(
        "fleet_transfers",
        sa.Column("doc_id", sa.String(length=32), primary_key=True),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("turn_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=True),
        sa.Column("manufacturer", sa.String(length=64), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True, unique=True),
        sa.Column("order_update_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Boolean(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("destination", sa.String(length=32), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("route_m", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("message_zh", sa.Text(), nullable=True),
        sa.Column("message_en", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fleet_transfers_status", "fleet_transfers", ["status"])
    op.create_table(
        "fleet_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(length=160), nullable=False, unique=True),
        sa.Column("doc_id", sa.String(length=32), nullable=True),
        sa.Column("manufacturer", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("order_update_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dropped", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_fleet_outbox_doc_id", "fleet_outbox", ["doc_id"])


def downgrade() -> None:
    op.drop_table("fleet_outbox")
    op.drop_table("fleet_transfers")
