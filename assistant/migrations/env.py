"""Alembic environment for the ledger.

The URL comes from `config.attributes["url"]` (set by `assistant.ledger.migrate.upgrade`), or an open
connection from `config.attributes["connection"]`; `sqlalchemy.url` in an ini file is the fallback for
running the alembic CLI by hand. render_as_batch lets the same migrations alter tables on SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, DateTime, Numeric

from assistant.access.tokens import AccessBase
from assistant.alerts.models import AlertsBase
from assistant.books.models import BooksBase
from assistant.contracts.models import ContractsBase
from assistant.fleet.store import FleetBase
from assistant.journal.channels import ChannelBase
from assistant.journal.store import JournalBase
from assistant.ledger.db import make_engine
from assistant.ledger.models import Base
from assistant.ledger.types import Dec, UtcDateTime
from assistant.partners.models import PartnersBase

config = context.config
target_metadata = [Base.metadata, FleetBase.metadata, AccessBase.metadata, JournalBase.metadata, AlertsBase.metadata,
                   ChannelBase.metadata, BooksBase.metadata, PartnersBase.metadata, ContractsBase.metadata]
# ledger, fleet link, device tokens, the turns on record, safety-stock alerts, chat channels, vouchers, partner push,
# contracts


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate writes plain SQLAlchemy types, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, Dec):
        impl = obj.impl
        assert isinstance(impl, Numeric)
        return f"sa.Numeric({impl.precision}, {impl.scale})"
    if type_ == "type" and isinstance(obj, UtcDateTime):
        assert isinstance(obj.impl, DateTime)
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.attributes.get("url") or config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: set config.attributes['url']")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Batch migrations copy, drop and rename tables; with foreign keys on SQLite would refuse
                # or cascade. Set on the raw connection: the pragma is ignored inside a transaction.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
