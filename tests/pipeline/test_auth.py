"""Device tokens: issued one at a time, stored only hashed, valid until they expire or are revoked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.access import DeviceTokens
from assistant.access.tokens import DeviceToken
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def tokens(tmp_path: Path) -> tuple[DeviceTokens, Clock]:
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    upgrade(url)
    clock = Clock()
    return DeviceTokens(make_engine(url), clock), clock


def test_a_token_names_its_device_and_is_stored_only_hashed(tokens: tuple[DeviceTokens, Clock]) -> None:
    registry, _ = tokens
    token = registry.issue("HMD-01", dt.timedelta(days=1))
    assert token.startswith("HMD-01.") and registry.verify(token) == "HMD-01"
    with registry._session() as session:
        stored = list(session.scalars(select(DeviceToken.token_hash)))
    assert stored and token not in stored and token.split(".", 1)[1] not in stored[0]


def test_forged_and_altered_tokens_are_refused(tokens: tuple[DeviceTokens, Clock]) -> None:
    registry, _ = tokens
    token = registry.issue("HMD-01", None)
    assert registry.verify(token.replace("HMD-01", "PAD-01")) is None
    assert registry.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert registry.verify("") is None and registry.verify("HMD-01") is None


def test_tokens_expire(tokens: tuple[DeviceTokens, Clock]) -> None:
    registry, clock = tokens
    token = registry.issue("PAD-01", dt.timedelta(days=90))
    clock.now += dt.timedelta(days=89)
    assert registry.verify(token) == "PAD-01"
    clock.now += dt.timedelta(days=2)
    assert registry.verify(token) is None and registry.active("PAD-01") == []


def test_rotation_and_revocation(tokens: tuple[DeviceTokens, Clock]) -> None:
    registry, _ = tokens
    old = registry.issue("HMD-02", None)
    new = registry.issue("HMD-02", None)  # several may be valid: rotate by issuing, then revoking the old one
    assert registry.verify(old) == registry.verify(new) == "HMD-02" and len(registry.active("HMD-02")) == 2
    assert registry.revoke_token(old) and registry.verify(old) is None and registry.verify(new) == "HMD-02"
    assert not registry.revoke_token(old)  # already revoked
    assert registry.revoke("HMD-02") == 1 and registry.verify(new) is None  # a lost headset: all of them
