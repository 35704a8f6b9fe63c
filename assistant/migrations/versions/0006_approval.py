"""Transfers over a requester's limit wait for approval: statuses awaiting_approval and rejected, and who decided.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "status IN ('draft', 'confirmed', 'in_progress', 'done', 'cancelled')"
_AFTER = ("status IN ('draft', 'awaiting_approval', 'confirmed', 'in_progress', 'done', 'cancelled', "
          "'rejected')")


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("ck_documents_status", type_="check")
        batch.alter_column("status", type_=sa.String(length=32), existing_type=sa.String(length=16),
                           existing_nullable=False)
        batch.create_check_constraint("ck_documents_status", sa.text(_AFTER))
        batch.add_column(sa.Column("decided_by", sa.String(length=32), nullable=True))
    with op.batch_alter_table("document_events") as batch:
        batch.alter_column("from_status", type_=sa.String(length=32), existing_type=sa.String(length=16),
                           existing_nullable=True)
        batch.alter_column("to_status", type_=sa.String(length=32), existing_type=sa.String(length=16),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("document_events") as batch:
        batch.alter_column("to_status", type_=sa.String(length=16), existing_type=sa.String(length=32),
                           existing_nullable=False)
        batch.alter_column("from_status", type_=sa.String(length=16), existing_type=sa.String(length=32),
                           existing_nullable=True)
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("decided_by")
        batch.drop_constraint("ck_documents_status", type_="check")
        batch.alter_column("status", type_=sa.String(length=16), existing_type=sa.String(length=32),
                           existing_nullable=False)
        batch.create_check_constraint("ck_documents_status", sa.text(_BEFORE))
