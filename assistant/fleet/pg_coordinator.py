"""Leader election among the app processes sharing one PostgreSQL database, and what they tell each other.

- Leadership is a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated connection. Followers
  try again every `retry_s`. The connection is the leadership: when it is lost (process killed, backend
  terminated, network gone) PostgreSQL releases the lock, and this process stops dispatching at once (the loss
  shows on the next use of the connection: LISTEN waits fail at once, a heartbeat runs every `check_s`).
- Fleet changes in any process run under a transaction-level advisory lock (the write lock), so a follower's
  cancel never interleaves with the leader's handling of the same transfer. Inside it the leader checks that its
  lock connection still holds the leadership (a fencing check), so a deposed leader never acts as one.
- The same dedicated connection LISTENs on the fleet's channel: followers NOTIFY the leader of new work (a
  transfer handed over, a cancel in the outbox) and the leader NOTIFYs every process of the events it emitted.
  NOTIFY rather than polling: a transfer confirmed on a follower gets its AGV within milliseconds, and the
  turn that confirmed it can say which one. A lost notification costs little: the leader also sweeps on its
  resend timer."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import structlog
from psycopg import sql
from sqlalchemy import Connection, Engine, text

from assistant.fleet.leadership import Dispatch, Hooks
from assistant.fleet.tasks import stop_task

log = structlog.get_logger(__name__)

LEADER, WRITES = 1, 2  # second keys of the two advisory locks, under the fleet's namespace
MAX_PAYLOAD = 7900  # NOTIFY payloads must stay under 8000 bytes
# Keepalives: a leader whose machine vanished is noticed by the operating system within ~10 s, not hours.
KEEPALIVE: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}
_FENCE = text("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = :pid"
              " AND classid = CAST(:ns AS oid) AND objid = CAST(:key AS oid) AND objsubid = 2"
              " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))")


class PgCoordinator:
    def __init__(self, engine: Engine, *, namespace: int, dispatch: Dispatch, retry_s: float, check_s: float,
                 origin: str) -> None:
        self._engine, self._ns, self._origin = engine, namespace, origin
        # libpq's own URL form; never logged (it may hold a password)
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._channel = f"frontline_fleet_{namespace}"
        self._may_lead = dispatch != "never"
        self._retry_s, self._check_s = retry_s, check_s
        self._leading = False
        self._backend: int | None = None  # the lock connection's server process (fencing check)
        self._hooks: Hooks | None = None
        self._inbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._wake_queued = False
        self._tasks: list[asyncio.Task[None]] = []
        self._settled = asyncio.Event()  # the first election attempt is over (won or lost)

    @property
    def leading(self) -> bool:
        return self._leading

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self, hooks: Hooks) -> None:
        self._hooks = hooks
        self._tasks = [asyncio.create_task(self._run(), name="fleet-leadership"),
                       asyncio.create_task(self._serve(), name="fleet-coordination")]
        # A single process on PostgreSQL leads from its first confirmation; a database that does not answer
        # does not hold the start up (it keeps trying in the background).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), 10)

    async def stop(self) -> None:
        if self._leading:
            self._leading = False  # a release, not a loss: closing the connection frees the lock at once
            log.info("fleet.leadership_released")
        for task in self._tasks:
            await stop_task(task)
        self._tasks = []
        self._leading = False

    # --- election --------------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True, connect_timeout=5,
                                                             **KEEPALIVE)
            except (psycopg.Error, OSError) as exc:
                log.warning("fleet.coordination_unavailable", error=type(exc).__name__)
                self._settled.set()
                await asyncio.sleep(self._retry_s)
                continue
            try:
                await self._session(conn)
            except (psycopg.Error, OSError, TimeoutError) as exc:
                log.warning("fleet.coordination_lost", error=type(exc).__name__, leading=self._leading)
            finally:
                self._backend = None
                self._depose()
                with contextlib.suppress(Exception):
                    await conn.close()
            await asyncio.sleep(self._retry_s)

    async def _session(self, conn: psycopg.AsyncConnection[Any]) -> None:
        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
        # The server's side of "lost connection = lost leadership": a session it has not heard from (the
        # leader's machine cut off) is ended, and the lock released, long after the leader stopped by itself
        # (its heartbeat fails within 3 check_s) but without waiting hours for TCP. PostgreSQL 14+; older
        # servers rely on their tcp_keepalives_* settings.
        quiet_ms = int(max(10.0, 5 * max(self._check_s, self._retry_s)) * 1000)
        with contextlib.suppress(psycopg.errors.UndefinedObject):
            await conn.execute(sql.SQL("SET idle_session_timeout = {}").format(sql.Literal(quiet_ms)))
        self._backend = conn.info.backend_pid
        patience = max(self._check_s * 3, 1.0)
        while True:
            if self._may_lead and not self._leading:
                cursor = await asyncio.wait_for(
                    conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (self._ns, LEADER)), patience)
                row = await cursor.fetchone()
                if row is not None and row[0]:
                    self._leading = True
                    log.info("fleet.leader_elected", backend=self._backend)
                    self._inbox.put_nowait(("elected", ""))
            else:
                # An idle connection's loss shows only when it is used: look every check_s (also tells the
                # server this session is alive).
                await asyncio.wait_for(conn.execute("SELECT 1"), patience)
            self._settled.set()
            async for note in conn.notifies(timeout=self._check_s if self._leading else self._retry_s):
                self._received(note.payload)

    def _depose(self) -> None:
        if self._leading:
            self._leading = False  # first: nothing is dispatched from here on
            log.warning("fleet.leadership_lost")
            self._inbox.put_nowait(("deposed", ""))

    # --- notifications ---------------------------------------------------------------------------------

    def _received(self, payload: str) -> None:
        try:
            note = json.loads(payload)
            kind, origin = str(note["t"]), str(note["o"])
        except (ValueError, KeyError, TypeError):
            log.warning("fleet.coordination_bad_note")
            return
        if origin == self._origin:
            return  # our own: already handled here
        if kind == "wake":
            if not self._wake_queued:  # several wakes before the leader looks: one look is enough
                self._wake_queued = True
                self._inbox.put_nowait(("wake", ""))
        elif kind == "event":
            self._inbox.put_nowait(("event", str(note.get("e", ""))))

    async def _serve(self) -> None:
        """Run the hooks one at a time, off the connection's loop (so a slow hook never delays the heartbeat)."""
        assert self._hooks is not None
        hooks = self._hooks
        while True:
            kind, body = await self._inbox.get()
            try:
                if kind == "elected" and self._leading:
                    await hooks.on_elected()
                elif kind == "deposed":
                    await hooks.on_deposed()
                elif kind == "wake":
                    self._wake_queued = False
                    if self._leading:
                        await hooks.on_wake()
                elif kind == "event":
                    await hooks.on_event(body)
            except Exception:
                log.exception("fleet.coordination_hook_failed", kind=kind)

    async def wake(self) -> None:
        await self._notify({"t": "wake", "o": self._origin})

    async def broadcast(self, event_json: str) -> None:
        note = {"t": "event", "o": self._origin, "e": event_json}
        if len(json.dumps(note).encode()) > MAX_PAYLOAD:
            log.warning("fleet.event_too_large_to_share", size=len(event_json))
            return
        await self._notify(note)

    async def _notify(self, note: dict[str, str]) -> None:
        def send() -> None:
            with self._engine.begin() as conn:
                conn.execute(text("SELECT pg_notify(:channel, :payload)"),
                             {"channel": self._channel, "payload": json.dumps(note)})
        try:
            await asyncio.to_thread(send)
        except Exception as exc:  # the leader's sweep picks the work up; a notice is lost at worst
            log.warning("fleet.notify_failed", kind=note["t"], error=type(exc).__name__)

    # --- the write lock --------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[bool]:
        taking = asyncio.ensure_future(asyncio.to_thread(self._lock_writes))
        try:
            conn, claimed, leading = await asyncio.shield(taking)
        except asyncio.CancelledError:
            # The thread goes on and may still get the lock: release it then, or it would be held (and every
            # process's fleet changes blocked) until the connection is collected.
            taking.add_done_callback(self._release_late)
            raise
        try:
            if claimed and not leading:
                self._depose()  # the lock connection lost it a moment ago: stop now, not at the next heartbeat
            yield leading
        finally:
            await asyncio.to_thread(self._unlock_writes, conn)

    def _lock_writes(self) -> tuple[Connection, bool, bool]:
        conn = self._engine.connect()
        try:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))  # a stuck holder fails the call, not the app
            conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": self._ns, "key": WRITES})
            claimed, backend = self._leading, self._backend
            leading = claimed and backend is not None and bool(
                conn.execute(_FENCE, {"pid": backend, "ns": self._ns, "key": LEADER}).scalar())
            return conn, claimed, leading
        except BaseException:
            conn.close()
            raise

    def _release_late(self, taking: asyncio.Future[tuple[Connection, bool, bool]]) -> None:
        if not taking.cancelled() and taking.exception() is None:
            asyncio.get_running_loop().run_in_executor(None, self._unlock_writes, taking.result()[0])

    @staticmethod
    def _unlock_writes(conn: Connection) -> None:
        with contextlib.suppress(Exception):  # a dead connection released the lock already
            conn.rollback()
        conn.close()
