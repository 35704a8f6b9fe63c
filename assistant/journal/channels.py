"""The channels' two tables (created by Alembic, revision 0008): which platform messages were already taken, and
the local log of what would have gone to a platform while the box runs on demo credentials. Blocking database
work: call it from a worker thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class ChannelBase(DeclarativeBase):
    """Separate metadata from the ledger's and the journal's."""


class InboxRow(ChannelBase):
    __tablename__ = "chat_inbox"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[str | None] = mapped_column(String(64))


class OutboundRow(ChannelBase):
    __tablename__ = "chat_outbound"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class ChatInbox:
    """Exactly once: the first arrival of a platform message id claims it; a retry (same id) finds it claimed.
    The primary key decides, so two processes racing on one retry cannot both win."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def claim(self, platform: str, message_id: str, user_id: str | None = None) -> bool:
        try:
            with self._sessions.begin() as session:
                session.add(InboxRow(platform=platform, message_id=message_id[:128], user_id=user_id,
                                     received_at=dt.datetime.now(dt.UTC)))
        except IntegrityError:
            return False
        return True


@dataclass(frozen=True)
class Outbound:
    """One message that would have gone to a platform (demo credentials keep it here instead)."""

    id: int
    ts: dt.datetime
    platform: str
    kind: str  # "reply", "send", "card", "file", "group-alert", …
    target: str  # a user id, a chat id or a webhook's name; never a secret
    body: dict[str, Any]


class OutboundLog:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def append(self, platform: str, kind: str, target: str, body: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            session.add(OutboundRow(ts=dt.datetime.now(dt.UTC), platform=platform, kind=kind, target=target[:200],
                                    body=body))

    def recent(self, limit: int = 50) -> list[Outbound]:
        query = select(OutboundRow).order_by(OutboundRow.id.desc()).limit(limit)
        with self._sessions() as session:
            rows = list(reversed(session.scalars(query).all()))
        return [Outbound(id=r.id, ts=r.ts if r.ts.tzinfo else r.ts.replace(tzinfo=dt.UTC), platform=r.platform,
                         kind=r.kind, target=r.target, body=dict(r.body)) for r in rows]
