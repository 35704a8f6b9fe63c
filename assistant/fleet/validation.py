"""Validation of every VDA 5050 message sent or received against the official 2.1.0 JSON schemas.

The schema files (MIT, VDA) ship in `schemas/`; they are read on first use, not at import."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = Path(__file__).with_name("schemas")


class Topic(StrEnum):
    order = "order"
    instant_actions = "instantActions"
    state = "state"
    connection = "connection"
    visualization = "visualization"


class InvalidMessage(ValueError):
    def __init__(self, topic: Topic, problems: list[str]) -> None:
        super().__init__(f"{topic}: " + "; ".join(problems))
        self.topic, self.problems = topic, problems


@cache
def _validator(topic: Topic) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{topic.value}.schema").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def problems(topic: Topic, message: Any) -> list[str]:
    """Schema violations of `message` on `topic` (empty when valid)."""
    found = sorted(_validator(topic).iter_errors(message), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in found[:5]]


def validate(topic: Topic, message: Any) -> None:
    found = problems(topic, message)
    if found:
        raise InvalidMessage(topic, found)


def parse(topic: Topic, payload: bytes) -> dict[str, Any]:
    """Decode and validate a received payload; `InvalidMessage` for bad JSON or a schema violation."""
    try:
        message = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidMessage(topic, [f"not JSON: {exc}"]) from None
    if not isinstance(message, dict):
        raise InvalidMessage(topic, ["not a JSON object"])
    validate(topic, message)
    return message
