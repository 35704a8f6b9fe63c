"""OpenAPI shows the real shapes: the turn endpoint's JSON and multipart request bodies, and typed responses, so a
schema-driven client can call it. Schemathesis generates requests from the schema and checks every answer against
it, on the real stack."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="session")
def spec(stack: Stack) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{stack.app_url}/openapi.json", timeout=10).json()
    return body


def test_the_turn_endpoint_documents_both_request_bodies(spec: dict[str, Any]) -> None:
    post = spec["paths"]["/api/v1/turns"]["post"]
    content = post["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/TextTurn"}
    assert content["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/UploadTurn"}
    components = spec["components"]["schemas"]
    assert {"text", "action"} <= set(components["TextTurn"]["properties"])
    assert components["UploadTurn"]["properties"]["audio"]["anyOf"][0]["format"] == "binary"
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/TurnOut"}
    refused = post["responses"]["401"]["content"]["application/json"]["schema"]
    assert refused == {"$ref": "#/components/schemas/ErrorOut"}


def test_every_answer_matches_the_schema(stack: Stack) -> None:
    """Calls generated from the schema for every /api/v1 operation, with a device token: never a server error,
    always a documented status, content type and body."""
    schema = schemathesis.openapi.from_url(f"{stack.app_url}/openapi.json").include(path_regex="^/api/v1/")
    headers = {"Authorization": f"Bearer {stack.token('PAD-DG')}"}
    called: list[str] = []

    @given(case=schema.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def answer_matches(case: Any) -> None:
        called.append(f"{case.method} {case.path}")
        case.call_and_validate(headers=headers, checks=CHECKS)

    answer_matches()
    assert "POST /api/v1/turns" in called
