"""Device bearer tokens: `<device>.<random>`, issued one at a time (a device may hold several: rotation is issuing
a new one, then revoking the old), stored only as a SHA-256 hash, with an expiry, revocable.

The random part carries 192 bits, so a plain hash is enough to store (no password stretching needed); a stolen
database gives no usable token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, Engine, Integer, String, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AccessBase(DeclarativeBase):
    """Separate metadata from the ledger's; the table is created by Alembic (revision 0005)."""


class DeviceToken(AccessBase):
    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TokenInfo(BaseModel):
    """A token as it may be shown: never the token itself."""

    model_config = ConfigDict(frozen=True)

    id: int
    device: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


class DeviceTokens:
    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def issue(self, device: str, ttl: dt.timedelta | None) -> str:
        """A new token for `device`, valid for `ttl` (None: until revoked). The token is shown once, here."""
        token = f"{device}.{secrets.token_urlsafe(24)}"
        now = self._clock()
        with self._session() as session, session.begin():
            session.add(DeviceToken(device=device, token_hash=_hash(token), issued_at=now,
                                    expires_at=now + ttl if ttl is not None else None))
        return token

    def verify(self, token: str) -> str | None:
        """The device a token was issued to, while it is neither revoked nor expired; else None."""
        if not token or "." not in token:
            return None
        with self._session() as session:
            row = session.scalar(select(DeviceToken).where(DeviceToken.token_hash == _hash(token)))
        if row is None or row.revoked_at is not None:
            return None
        expires = _aware(row.expires_at)
        if expires is not None and expires <= self._clock():
            return None
        return row.device

    def revoke(self, device: str) -> int:
        """Revoke every token of a device (a lost headset); how many were valid."""
        with self._session() as session, session.begin():
            result = session.execute(update(DeviceToken).where(DeviceToken.device == device,
                                                               DeviceToken.revoked_at.is_(None))
                                     .values(revoked_at=self._clock()))
        return int(getattr(result, "rowcount", 0) or 0)

    def revoke_token(self, token: str) -> bool:
        """Revoke one token (the old one, after a rotation)."""
        with self._session() as session, session.begin():
            result = session.execute(update(DeviceToken).where(DeviceToken.token_hash == _hash(token),
                                                               DeviceToken.revoked_at.is_(None))
                                     .values(revoked_at=self._clock()))
        return bool(getattr(result, "rowcount", 0))

    def active(self, device: str | None = None) -> list[TokenInfo]:
        now = self._clock()
        with self._session() as session:
            query = select(DeviceToken).where(DeviceToken.revoked_at.is_(None))
            if device is not None:
                query = query.where(DeviceToken.device == device)
            rows = list(session.scalars(query.order_by(DeviceToken.id)))
        return [TokenInfo(id=r.id, device=r.device, issued_at=_aware(r.issued_at) or now,
                          expires_at=_aware(r.expires_at))
                for r in rows if (_aware(r.expires_at) or now + dt.timedelta(1)) > now]
