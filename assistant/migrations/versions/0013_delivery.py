"""Sales orders say when and where the goods are delivered: a delivery date (the latest day agreed) and place
(the customer's address unless the order named another).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("delivery_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("delivery_place", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("delivery_place")
        batch.drop_column("delivery_date")
