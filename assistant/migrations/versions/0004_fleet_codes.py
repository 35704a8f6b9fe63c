"""The fleet stores reason codes and data, not words: drop fleet_transfers.message_zh/message_en, add detail.

A waiting transfer keeps its `reason` (no_agv, agv_offline, agv_error); the text is rendered from the
catalogue in the reader's language when it is shown. `detail` is the vehicle's own error description (its
data, shown inside our sentence), which until now existed only inside the stored messages.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The English waiting message of revision 0003 for an AGV error: "… reported an error (<detail>); transfer …".
_DETAIL_IN_MESSAGE = re.compile(r" reported an error \((.*)\); transfer ", re.DOTALL)

_transfers = sa.table(
    "fleet_transfers",
    sa.column("doc_id", sa.String()),
    sa.column("reason", sa.String()),
    sa.column("message_en", sa.Text()),
    sa.column("detail", sa.Text()),
)


def upgrade() -> None:
    # Revision 0003 keeps fleet tables the fleet link had created itself; one created by today's link
    # (`FleetStore.create_tables`) already has this revision's shape. Change only what is not there yet.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("fleet_transfers")}
    if "detail" not in columns:
        with op.batch_alter_table("fleet_transfers") as batch:
            batch.add_column(sa.Column("detail", sa.Text(), nullable=True))
    if {"message_zh", "message_en"} <= columns:
        _keep_error_details()
        with op.batch_alter_table("fleet_transfers") as batch:
            batch.drop_column("message_en")
            batch.drop_column("message_zh")


def _keep_error_details() -> None:
    """A transfer waiting after an AGV error keeps the vehicle's description across the upgrade."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(_transfers.c.doc_id, _transfers.c.message_en).where(
        _transfers.c.reason == "agv_error", _transfers.c.message_en.is_not(None))).all()
    for doc_id, message in rows:
        found = _DETAIL_IN_MESSAGE.search(message)
        if found:
            bind.execute(sa.update(_transfers).where(_transfers.c.doc_id == doc_id).values(detail=found[1]))


def downgrade() -> None:
    # The texts come back empty (migrations never import the catalogue): code from before this revision then
    # says its generic "waiting for an AGV" for a transfer that waits.
    with op.batch_alter_table("fleet_transfers") as batch:
        batch.add_column(sa.Column("message_zh", sa.Text(), nullable=True))
        batch.add_column(sa.Column("message_en", sa.Text(), nullable=True))
        batch.drop_column("detail")
