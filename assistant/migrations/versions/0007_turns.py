"""Every turn on the record: the append-only turns table (the database itself refuses UPDATE and DELETE).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_FUNCTION = """
CREATE FUNCTION frontline_turns_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'turns are append-only';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "turns",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("device", sa.String(length=32), nullable=False),
        sa.Column("worker", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("input_kind", sa.String(length=8), nullable=False),
        sa.Column("input_text", sa.Text(), nullable=True),
        sa.Column("input_sha256", sa.String(length=64), nullable=True),
        sa.Column("media_path", sa.String(length=255), nullable=True),
        sa.Column("transcript_raw", sa.Text(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("stt_confidence", sa.Float(), nullable=True),
        sa.Column("ocr_lines", sa.JSON(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("intent_confidence", sa.Float(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=4), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("timings_ms", sa.JSON(), nullable=False),
        sa.Column("result", sa.String(length=48), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=True),
    )
    op.create_index("ix_turns_ts", "turns", ["ts"])
    op.create_index("ix_turns_site", "turns", ["site"])
    op.create_index("ix_turns_device", "turns", ["device"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER turns_append_only BEFORE UPDATE OR DELETE ON turns "
                   "FOR EACH ROW EXECUTE FUNCTION frontline_turns_append_only()")
        op.execute("CREATE TRIGGER turns_no_truncate BEFORE TRUNCATE ON turns "
                   "FOR EACH STATEMENT EXECUTE FUNCTION frontline_turns_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER turns_no_{verb.lower()} BEFORE {verb} ON turns "
                       "BEGIN SELECT RAISE(ABORT, 'turns are append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS turns_no_truncate ON turns")
        op.execute("DROP TRIGGER IF EXISTS turns_append_only ON turns")
        op.execute("DROP FUNCTION IF EXISTS frontline_turns_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS turns_no_update")
        op.execute("DROP TRIGGER IF EXISTS turns_no_delete")
    op.drop_index("ix_turns_device", table_name="turns")
    op.drop_index("ix_turns_site", table_name="turns")
    op.drop_index("ix_turns_ts", table_name="turns")
    op.drop_table("turns")
