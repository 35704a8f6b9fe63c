"""Errors as every endpoint and socket answers them: a machine code and the words for a person."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str  # a catalogue code, e.g. "input-empty", "auth-invalid-token", "nlu-unavailable"
    stage: str | None = None  # the turn stage that failed: input | stt | ocr | nlu | render
    message: str  # in the language of the caller
    message_zh: str
    message_en: str
    details: dict[str, str | int | float] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail
    turn_id: str | None = None  # a turn that ended in this error is on the record under this id


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an endpoint may answer with."""
    return {status: {"model": ErrorOut} for status in statuses}
