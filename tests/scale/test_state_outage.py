"""Redis goes away under a scaled app and comes back: turns meanwhile are refused in words (503,
state-unavailable, nothing written), readiness says which part is missing, and the app serves again once it
returns, without a restart."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from tests.scale.conftest import forget_prefix, new_prefix
from tests.support import TcpProxy, free_port, issue, serve

pytestmark = pytest.mark.redis


def test_a_state_outage_is_said_and_survived(tmp_path: Path) -> None:
    proxy = TcpProxy(6379).on()
    port, prefix = free_port(), new_prefix()
    settings = Settings(var_dir=tmp_path, port=port, secret="state-outage-secret", start_rasa=False,
                        rasa_url=f"http://127.0.0.1:{free_port()}", mqtt_url="mqtt://127.0.0.1:1883",
                        fleet={"base_topic": f"frontline-state-{uuid.uuid4().hex[:8]}/uagv/v2"},
                        state_url=f"redis://127.0.0.1:{proxy.port}/0", state_prefix=prefix)
    try:
        with serve(create_app(settings), port) as url, httpx.Client(base_url=url, timeout=30,
                                                                    trust_env=False) as client:
            headers = {"Authorization": f"Bearer {issue(settings, 'HMD-01')}"}
            health = client.get("/health").json()
            assert health["state"] == "ok" and health["not_ready"] == ["nlu"]  # no Rasa in this test
            proxy.off()
            down = client.post("/api/v1/turns", json={"text": "调拨5件曲轴到总装线B区"},
                               headers={**headers, "Accept-Language": "zh"})
            assert down.status_code == 503 and down.json()["error"]["code"] == "state-unavailable", down.text
            assert "Redis" in down.json()["error"]["message"]
            health = client.get("/health")
            assert health.status_code == 503 and health.json()["state"] == "unavailable"
            assert health.json()["not_ready"] == ["nlu", "state"]
            proxy.on()
            back = client.post("/api/v1/turns", json={"text": "调拨5件曲轴到总装线B区"}, headers=headers)
            assert back.json()["error"]["code"] == "nlu-unavailable"  # past the state: on to the (absent) Rasa
            assert client.get("/health").json()["state"] == "ok"
    finally:
        proxy.off()
        forget_prefix(prefix)
