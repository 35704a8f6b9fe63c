"""Signing a webhook, and checking one (what a partner runs on receipt).

The signature is HMAC-SHA256 over `f"{timestamp}.{body}"` with the partner's secret, hex encoded, sent as
`X-Frontline-Signature: sha256=<hex>` beside `X-Frontline-Timestamp: <unix seconds>` and
`X-Frontline-Event-Id: <uuid>`. The timestamp is part of what is signed, so a captured request cannot be replayed
outside the tolerance; the event id lets the receiver drop a repeat (a delivery is retried until it gets a 2xx)."""

from __future__ import annotations

import hashlib
import hmac
import time

EVENT_ID = "X-Frontline-Event-Id"
TIMESTAMP = "X-Frontline-Timestamp"
SIGNATURE = "X-Frontline-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "{timestamp}.{body}")."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signed_headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", EVENT_ID: event_id, TIMESTAMP: str(timestamp),
            SIGNATURE: signature(secret, timestamp, body)}


def verify_signature(secret: str, body: bytes, timestamp: str | None, signature_header: str | None, *,
                     tolerance_s: float = 300.0, now: float | None = None) -> bool:
    """Whether a received webhook is genuine: `body` is the raw request body (bytes, before any JSON parsing),
    `timestamp` and `signature_header` the X-Frontline-Timestamp and X-Frontline-Signature headers. False when
    either is missing or malformed, the timestamp is more than `tolerance_s` away from `now` (default: the
    clock), or the signature does not match (compared in constant time).

        ok = verify_signature(SECRET, await request.body(), request.headers.get("X-Frontline-Timestamp"),
                              request.headers.get("X-Frontline-Signature"))
    """
    if not timestamp or not signature_header or not timestamp.isdigit():
        return False
    stamp = int(timestamp)
    if abs((time.time() if now is None else now) - stamp) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), signature_header)
