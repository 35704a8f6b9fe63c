"""One error type for every stage of a turn, with a machine code and a message in both languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TurnError(Exception):
    code: str  # machine code, e.g. "input-empty", "nlu-unavailable"
    stage: str  # "input" | "nlu" | "render"
    status: int  # HTTP status the turn API answers with
    message_zh: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "stage": self.stage,
                "message": self.message(lang),
                "message_zh": self.message_zh,
                "message_en": self.message_en,
                **({"details": self.details} if self.details else {}),
            }
        }

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"
