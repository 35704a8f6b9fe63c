"""Lot and expiry (GS1 AIs 10 and 17) on document lines and stock moves, from scanned labels.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("document_lines", "stock_moves")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("lot", sa.String(length=64), nullable=True))
            batch.add_column(sa.Column("expiry", sa.Date(), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("expiry")
            batch.drop_column("lot")
