from __future__ import annotations

import pytest


@pytest.fixture(params=["mosquitto", "embedded"])
def broker_kind(request: pytest.FixtureRequest) -> str:
    """Every integration test runs against the system Mosquitto (127.0.0.1:1883) and an embedded amqtt."""
    return str(request.param)
