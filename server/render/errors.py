"""Errors rendered for the caller: the catalogue's words in both languages (the caller's first), and the HTTP
status, which only the web edge decides."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.catalogue import both, lang_of
from assistant.pipeline import TurnError
from server.schemas.errors import ErrorDetail, ErrorOut

# HTTP status per error code; a code not listed takes its stage's status.
_STATUS: dict[str, int] = {
    "input-empty": 422, "input-malformed": 422, "input-too-long": 413, "input-too-large": 413, "too-many-turns": 429,
    "audio-unsupported": 415, "audio-corrupt": 400, "audio-too-large": 413, "audio-too-long": 413,
    "image-unsupported": 415, "image-corrupt": 400, "image-too-large": 413,
    "stt-unavailable": 503, "vision-models-missing": 503, "nlu-unavailable": 503,
    "auth-invalid-token": 401, "document-not-found": 404, "site-forbidden": 403, "unknown-item-code": 404,
    "turns-not-permitted": 403, "turn-not-found": 404, "unknown-device-code": 404, "turn-media-not-kept": 404,
    "dashboard-not-permitted": 403, "vouchers-not-permitted": 403, "partner-deliveries-not-permitted": 403,
    "approval-not-permitted": 403,
    "contract-not-permitted": 403, "contract-not-ready": 404, "contract-none": 404,
    "contract-failed": 404, "approval-not-waiting": 409, "approval-out-of-stock": 409,
    "internal-error": 500, "db-unavailable": 503, "device-busy": 503, "state-unavailable": 503,
}
_BY_STAGE = {"input": 422, "stt": 422, "ocr": 422, "nlu": 503, "render": 500}


def status_of(error: TurnError) -> int:
    return _STATUS.get(error.code, _BY_STAGE.get(error.stage, 500))


def error_out(code: str, lang: str | None, *, stage: str | None = None,
              values: Mapping[str, str | int | float] | None = None) -> ErrorOut:
    zh, en = both(code, **(values or {}))
    return ErrorOut(error=ErrorDetail(code=code, stage=stage, message=en if lang_of(lang) == "en" else zh,
                                      message_zh=zh, message_en=en, details=dict(values) if values else None))


def turn_error_out(error: TurnError, lang: str | None) -> ErrorOut:
    out = error_out(error.code, lang, stage=error.stage, values=error.values)
    return out.model_copy(update={"turn_id": error.turn_id})


def http_status(code: str) -> int:
    return _STATUS.get(code, 500)
