"""Device bearer tokens: `<device>.<hmac>`; stateless, so they survive a demo reset and restarts."""

from __future__ import annotations

import hashlib
import hmac


def _signature(key: bytes, device: str) -> str:
    return hmac.new(key, device.encode(), hashlib.sha256).hexdigest()[:32]


def issue_token(key: bytes, device: str) -> str:
    return f"{device}.{_signature(key, device)}"


def verify_token(key: bytes, token: str) -> str | None:
    """The device code a token was issued for, or None when it is not genuine."""
    device, _, signature = token.strip().rpartition(".")
    if not device or not hmac.compare_digest(signature, _signature(key, device)):
        return None
    return device
