"""DingTalk's one signature: base64(HMAC-SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}")).

The robot HTTP callback carries it in its `sign` header (keyed with the app secret); a custom group robot's webhook
carries it as the `sign` query parameter (keyed with the robot's own secret), URL-encoded."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(timestamp_ms: str | int, secret: str) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def signature_matches(timestamp_ms: str | int, secret: str, signature: str) -> bool:
    return hmac.compare_digest(sign(timestamp_ms, secret), signature)
