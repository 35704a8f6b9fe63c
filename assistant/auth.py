"""Device bearer tokens: `<device>.<hmac>`; stateless, so they survive a demo reset and restarts."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from assistant.config import Settings


def instance_secret(settings: Settings) -> bytes:
    """The configured secret, else one generated on first use and kept under var/ (mode 600)."""
    if settings.secret is not None:
        return settings.secret.get_secret_value().encode()
    path: Path = settings.var_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


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
