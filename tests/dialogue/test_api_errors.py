"""Bad input through the API: a clear answer in the user's language, nothing written."""

from __future__ import annotations

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from tests.dialogue.conftest import SECRET, Stack, doc_of
from tests.support import free_port, issue, serve

pytestmark = pytest.mark.rasa


def _post(stack: Stack, device: str, headers: dict[str, str] | None = None, **kwargs) -> httpx.Response:
    return stack.client.post("/api/v1/turns", headers={"Authorization": f"Bearer {stack.token(device)}",
                                                       **(headers or {})}, **kwargs)


def test_empty_text(fresh: Stack) -> None:
    response = _post(fresh, "HMD-01", json={"text": "  "})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "input-empty"
    assert "没有收到内容" in response.json()["error"]["message"]


def test_twenty_thousand_characters(fresh: Stack) -> None:
    response = _post(fresh, "HMD-01", json={"text": "调" * 20000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "input-too-long"


@pytest.mark.parametrize("body", [b"{not json", b'{"txt": "hi"}', b"[]"])
def test_malformed_json(fresh: Stack, body: bytes) -> None:
    response = _post(fresh, "HMD-01", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "input-malformed"


def test_missing_or_unknown_token(fresh: Stack) -> None:
    assert fresh.client.post("/api/v1/turns", json={"text": "确认"}).status_code == 401
    forged = {"Authorization": "Bearer HMD-01.0000000000000000"}
    assert fresh.client.post("/api/v1/turns", json={"text": "确认"}, headers=forged).status_code == 401


def test_stock_of_another_site_is_forbidden(fresh: Stack) -> None:
    response = fresh.client.get("/api/v1/stock", params={"site": "FZ"},
                                headers={"Authorization": f"Bearer {fresh.token('HMD-01')}"})
    assert response.status_code == 403


def test_document_lookup(fresh: Stack) -> None:
    fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    doc = doc_of(fresh.turn("HMD-01", "确认"))
    headers = {"Authorization": f"Bearer {fresh.token('HMD-01')}"}
    assert fresh.client.get(f"/api/v1/documents/{doc['id']}", headers=headers).json()["id"] == doc["id"]
    other_site = {"Authorization": f"Bearer {fresh.token('PAD-01')}"}
    assert fresh.client.get(f"/api/v1/documents/{doc['id']}", headers=other_site).status_code == 404


def test_health_reports_ready(fresh: Stack) -> None:
    body = fresh.client.get("/health").json()
    assert body["status"] == "ok" and body["nlu"] == "ok" and body["database"] == "ok"


def test_rasa_not_running_is_503_and_writes_nothing(tmp_path) -> None:
    port = free_port()
    settings = Settings(var_dir=tmp_path, port=port, secret=SECRET, rasa_url=f"http://127.0.0.1:{free_port()}")
    with serve(create_app(settings), port) as url, httpx.Client(base_url=url, trust_env=False) as client:
        token = f"Bearer {issue(settings, 'HMD-01')}"
        health = client.get("/health")
        assert health.status_code == 503 and "nlu" in health.json()["not_ready"]
        response = client.post("/api/v1/turns", json={"text": "确认"}, headers={"Authorization": token})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "nlu-unavailable"
        stock = client.get("/api/v1/stock", params={"item": "CS-1001"}, headers={"Authorization": token}).json()
        assert all(float(row["reserved"]) == 0 for row in stock)
