"""Initial ledger schema: master data, stock, documents, stock moves, document and ledger events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_customers")),
    )
    op.create_table(
        "devices",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_devices")),
    )
    op.create_table(
        "document_counters",
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("doc_type", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "ledger_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_events")),
    )
    with op.batch_alter_table("ledger_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_events_delivered"), ["delivered"], unique=False)

    op.create_table(
        "sites",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("map", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sites")),
    )
    op.create_table(
        "units",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("base", sa.String(length=16), nullable=True),
        sa.Column("factor", sa.Numeric(18, 6), nullable=True),
        sa.Column("per_item", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_units")),
    )
    op.create_table(
        "agvs",
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("manufacturer", sa.String(length=200), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("home", sa.String(length=32), nullable=False),
        sa.Column("payload_kg", sa.Numeric(18, 3), nullable=False),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_agvs_site_sites")),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_agvs")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("customer", sa.String(length=32), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("device", sa.String(length=32), nullable=True),
        sa.Column("worker", sa.String(length=32), nullable=True),
        sa.Column("turn_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'confirmed', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_documents_status"),
        ),
        sa.CheckConstraint("type IN ('transfer', 'sales_order')", name=op.f("ck_documents_type")),
        sa.ForeignKeyConstraint(
            ["customer"], ["customers.code"], name=op.f("fk_documents_customer_customers")
        ),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_documents_site_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_site_created_at", ["site", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_turn_id"), ["turn_id"], unique=False)

    op.create_table(
        "items",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("gtin", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("box_size", sa.Integer(), nullable=True),
        sa.Column("price_per", sa.String(length=16), nullable=True),
        sa.Column("price", sa.Numeric(18, 2), nullable=True),
        sa.ForeignKeyConstraint(["price_per"], ["units.code"], name=op.f("fk_items_price_per_units")),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name=op.f("fk_items_unit_units")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_items")),
        sa.UniqueConstraint("gtin", name=op.f("uq_items_gtin")),
    )
    op.create_table(
        "locations",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('rack', 'line', 'qc', 'dock', 'shelf', 'store')", name=op.f("ck_locations_kind")
        ),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_locations_site_sites")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_locations")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_site"), ["site"], unique=False)

    op.create_table(
        "workers",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("devices", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_workers_site_sites")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_workers")),
    )
    op.create_table(
        "document_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=16), nullable=False),
        sa.Column("turn_id", sa.String(length=64), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_events_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_events")),
    )
    with op.batch_alter_table("document_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_events_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_events_turn_id"), ["turn_id"], unique=False)

    op.create_table(
        "document_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=16), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("qty_base", sa.Numeric(18, 3), nullable=False),
        sa.Column("from_location", sa.String(length=32), nullable=True),
        sa.Column("to_location", sa.String(length=32), nullable=True),
        sa.Column("unit_price", sa.Numeric(18, 2), nullable=True),
        sa.Column("price_unit", sa.String(length=16), nullable=True),
        sa.Column("line_total", sa.Numeric(18, 2), nullable=True),
        sa.CheckConstraint("qty_base > 0", name=op.f("ck_document_lines_qty_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_lines_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["from_location"], ["locations.code"], name=op.f("fk_document_lines_from_location_locations")
        ),
        sa.ForeignKeyConstraint(["item"], ["items.code"], name=op.f("fk_document_lines_item_items")),
        sa.ForeignKeyConstraint(
            ["to_location"], ["locations.code"], name=op.f("fk_document_lines_to_location_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_lines")),
        sa.UniqueConstraint("document_id", "line_no", name=op.f("uq_document_lines_document_id_line_no")),
    )
    op.create_table(
        "safety_stock",
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("minimum", sa.Numeric(18, 3), nullable=False),
        sa.ForeignKeyConstraint(["item"], ["items.code"], name=op.f("fk_safety_stock_item_items")),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_safety_stock_site_sites")),
        sa.PrimaryKeyConstraint("site", "item", name=op.f("pk_safety_stock")),
    )
    op.create_table(
        "stock",
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("location", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("on_hand", sa.Numeric(18, 3), nullable=False),
        sa.Column("reserved", sa.Numeric(18, 3), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_on_hand_nonnegative")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_reserved_within_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_reserved_nonnegative")),
        sa.ForeignKeyConstraint(["item"], ["items.code"], name=op.f("fk_stock_item_items")),
        sa.ForeignKeyConstraint(["location"], ["locations.code"], name=op.f("fk_stock_location_locations")),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_stock_site_sites")),
        sa.PrimaryKeyConstraint("site", "location", "item", name=op.f("pk_stock")),
    )
    op.create_table(
        "stock_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_id", sa.String(length=16), nullable=True),
        sa.Column("turn_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("from_location", sa.String(length=32), nullable=True),
        sa.Column("to_location", sa.String(length=32), nullable=True),
        sa.Column("qty", sa.Numeric(18, 3), nullable=False),
        sa.CheckConstraint(
            "kind IN ('opening', 'reserve', 'release', 'transfer', 'sale')", name=op.f("ck_stock_moves_kind")
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_stock_moves_qty_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_stock_moves_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["from_location"], ["locations.code"], name=op.f("fk_stock_moves_from_location_locations")
        ),
        sa.ForeignKeyConstraint(["item"], ["items.code"], name=op.f("fk_stock_moves_item_items")),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_stock_moves_site_sites")),
        sa.ForeignKeyConstraint(
            ["to_location"], ["locations.code"], name=op.f("fk_stock_moves_to_location_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_moves_document_id"), ["document_id"], unique=False)
        batch_op.create_index("ix_stock_moves_site_item", ["site", "item"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moves_site_item")
        batch_op.drop_index(batch_op.f("ix_stock_moves_document_id"))

    op.drop_table("stock_moves")
    op.drop_table("stock")
    op.drop_table("safety_stock")
    op.drop_table("document_lines")
    with op.batch_alter_table("document_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_events_turn_id"))
        batch_op.drop_index(batch_op.f("ix_document_events_document_id"))

    op.drop_table("document_events")
    op.drop_table("workers")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_site"))

    op.drop_table("locations")
    op.drop_table("items")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_turn_id"))
        batch_op.drop_index("ix_documents_site_created_at")

    op.drop_table("documents")
    op.drop_table("agvs")
    op.drop_table("units")
    op.drop_table("sites")
    with op.batch_alter_table("ledger_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_events_delivered"))

    op.drop_table("ledger_events")
    op.drop_table("document_counters")
    op.drop_table("devices")
    op.drop_table("customers")
