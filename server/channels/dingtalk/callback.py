"""Verify a robot HTTP callback: DingTalk sends `timestamp` (ms) and `sign` headers with every message it POSTs.

A request is genuine when the timestamp is within an hour of our clock and `sign` is the HMAC of that timestamp with
the app secret (see `sign.py`). Both are checked before the body is even parsed."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from server.channels.dingtalk.errors import DingTalkError
from server.channels.dingtalk.sign import signature_matches

MAX_SKEW_MS = 60 * 60 * 1000  # DingTalk's documented window: more than an hour off means forged or replayed


def verify_callback(timestamp: str | None, signature: str | None, *, app_secret: str, now_ms: int,
                    max_skew_ms: int = MAX_SKEW_MS) -> None:
    """Raise DingTalkError (timestamp-invalid, timestamp-stale, signature-invalid) unless the headers are genuine."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit():
        raise DingTalkError("timestamp-invalid")
    if abs(now_ms - int(timestamp)) > max_skew_ms:
        raise DingTalkError("timestamp-stale", f"{(now_ms - int(timestamp)) // 1000} s off")
    # Signed over the header text exactly as sent, not a re-formatted number.
    if not signature or not signature_matches(timestamp, app_secret, signature):
        raise DingTalkError("signature-invalid")


class CallbackVerifier:
    """`verify_callback` bound to an app secret and a clock (seconds, like time.time; injected in tests)."""

    def __init__(self, app_secret: str, *, clock: Callable[[], float] = time.time,
                 max_skew_ms: int = MAX_SKEW_MS) -> None:
        self._secret = app_secret
        self._clock = clock
        self._max_skew_ms = max_skew_ms

    def verify(self, headers: Mapping[str, str]) -> None:
        """Check a request's headers (Starlette's are case-insensitive; a plain dict is looked up in lower case)."""
        verify_callback(_header(headers, "timestamp"), _header(headers, "sign"), app_secret=self._secret,
                        now_ms=int(self._clock() * 1000), max_skew_ms=self._max_skew_ms)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value
