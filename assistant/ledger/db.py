"""Engines for the ledger: SQLite (the offline default) and PostgreSQL.

SQLite: every write transaction starts with BEGIN IMMEDIATE, so it holds the database write lock from its
first statement; two confirmations can then never both read the same stock and both deduct it. This is the
pysqlite recipe from the SQLAlchemy docs: turn off the driver's own transaction handling and emit BEGIN
ourselves. Read-only work uses `read_only(engine)`, which begins DEFERRED so readers never wait for writers
(WAL lets them read the last committed state).

PostgreSQL: the service locks the stock rows it touches with SELECT ... FOR UPDATE (see `service.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

DEFAULT_URL = "sqlite:///var/frontline.db"
BUSY_TIMEOUT_MS = 5000
_READ_ONLY = "frontline_read_only"  # execution option picked up by the SQLite "begin" listener


def make_engine(url: str) -> Engine:
    """An engine for `url` (sqlite:///path or postgresql+psycopg://...)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        # pre_ping: the app outlives database restarts on the shop floor; a database that does not answer is
        # reported within seconds, not after the operating system's TCP timeout.
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    raise ValueError(f"unsupported database backend: {backend}")


def read_only(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions do not take the SQLite write lock."""
    return engine.execution_options(**{_READ_ONLY: True})


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # No implicit BEGIN/COMMIT from pysqlite: we issue BEGIN ourselves in "begin" below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # first: the next pragma may wait
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        deferred = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

    return engine
