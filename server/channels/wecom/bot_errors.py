"""The one error the WeCom bot long-connection client raises: a machine code, the platform's errcode when it gave one,
and a short detail that never carries message content or credentials."""

from __future__ import annotations

# Codes (stable strings: logs, health pages and the app wiring match on them).
AUTH_FAILED = "auth_failed"  # the platform answered aibot_subscribe with errcode != 0 (wrong bot id / secret)
SUBSCRIBE_TIMEOUT = "subscribe_timeout"  # no answer to aibot_subscribe in time
CONNECT_FAILED = "connect_failed"  # TCP/TLS/WebSocket handshake failed
CONNECTION_LOST = "connection_lost"  # the socket closed while a request waited for its answer
NOT_CONNECTED = "not_connected"  # no subscribed connection to send on
ACK_TIMEOUT = "ack_timeout"  # a request got no answer in time
REJECTED = "rejected"  # the platform answered a request with errcode != 0
SUPERSEDED = "superseded"  # the platform sent disconnected_event: another connection took this bot over
ALREADY_RUNNING = "already_running"
FRAME_MALFORMED = "frame_malformed"  # an inbound frame we could not parse (dropped)
FRAME_INVALID = "frame_invalid"  # an outbound frame we refuse to build (caller error)
MEDIA_HOST_NOT_ALLOWED = "media_host_not_allowed"
MEDIA_KEY_MISSING = "media_key_missing"
MEDIA_DOWNLOAD_FAILED = "media_download_failed"
MEDIA_TOO_LARGE = "media_too_large"
MEDIA_DECRYPT_FAILED = "media_decrypt_failed"


class WeComBotError(Exception):
    def __init__(self, code: str, *, errcode: int | None = None, detail: str = "") -> None:
        self.code, self.errcode, self.detail = code, errcode, detail
        parts = [code]
        if errcode is not None:
            parts.append(f"errcode={errcode}")
        if detail:
            parts.append(detail)
        super().__init__(" ".join(parts))


class FrameError(WeComBotError):
    """An inbound frame that does not have the documented shape; `detail` names what was wrong, never its value."""

    def __init__(self, detail: str) -> None:
        super().__init__(FRAME_MALFORMED, detail=detail)
