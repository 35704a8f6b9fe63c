"""A document names the read-back it was written for: confirming the same read-back twice writes it once.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("confirms", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_documents_confirms"), ["confirms"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(batch.f("uq_documents_confirms"), type_="unique")
        batch.drop_column("confirms")
