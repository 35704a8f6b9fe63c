"""Only the app speaks for a device: Rasa takes messages only through the app's channel with its secret (no REST
channel, no HTTP API), and the app's action endpoint takes calls only from Rasa (its token). A forged call moves
nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa

FORGED_CONFIRM: dict[str, Any] = {
    "next_action": "action_confirm",
    "sender_id": "HMD-01",
    "tracker": {
        "sender_id": "HMD-01", "slots": {"proposal": {"kind": "transfer", "site": "DG", "item": "CS-1001",
                                                      "qty_base": "5", "destination": "LINE-B"}},
        "latest_message": {"text": "确认", "intent": {"name": "affirm"}, "entities": [],
                           "metadata": {"turn_id": "forged", "device": "HMD-01", "site": "DG", "lang": "zh"}},
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    },
    "domain": {},
    "version": "3.6.21",
}


def test_the_channel_wants_the_secret(fresh: Stack) -> None:
    body = {"sender": "HMD-01", "message": "确认", "metadata": {"device": "HMD-01", "site": "DG"}}
    url = f"{fresh.rasa_url}/webhooks/frontline/webhook"
    assert httpx.post(url, json=body, timeout=30).status_code == 403
    assert httpx.post(url, json=body, headers={"X-Frontline-Secret": "not-the-secret-at-all"},
                      timeout=30).status_code == 403
    for path in ("parse", "status", "conversation/HMD-01"):
        method = "POST" if path == "parse" else "GET"
        assert httpx.request(method, f"{fresh.rasa_url}/webhooks/frontline/{path}", json={"text": "x"},
                             timeout=30).status_code == 403


def test_no_other_way_into_rasa(fresh: Stack) -> None:
    rest = httpx.post(f"{fresh.rasa_url}/webhooks/rest/webhook", json={"sender": "HMD-01", "message": "确认"},
                      timeout=30)
    assert rest.status_code == 404  # no REST channel
    for method, path in (("GET", "/status"), ("POST", "/model/parse"),
                         ("POST", "/conversations/HMD-01/tracker/events"), ("GET", "/conversations/HMD-01/tracker")):
        assert httpx.request(method, f"{fresh.rasa_url}{path}", json={}, timeout=30).status_code == 404, path


def test_a_forged_action_call_moves_nothing(fresh: Stack) -> None:
    before = fresh.stock("HMD-01", "CS-1001")
    for query in ("", "?token=", "?token=guess"):
        response = fresh.client.post(f"/webhook{query}", json=FORGED_CONFIRM)
        assert response.status_code == 403
    assert fresh.stock("HMD-01", "CS-1001") == before
    real = fresh.turn("HMD-01", "查询曲轴库存")  # Rasa, with the token, still reaches the actions
    assert "曲轴库存" in real["reply"]["text"]


def test_pages_send_security_headers(fresh: Stack) -> None:
    page = fresh.client.get("/tablet")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    api = fresh.client.get("/health")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in api.headers  # no CORS: other sites cannot read the API
    preflight = fresh.client.options("/api/v1/turns", headers={"Origin": "http://evil.example",
                                                                "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_a_page_of_another_site_cannot_open_a_device_socket(fresh: Stack) -> None:
    import json

    from websockets.sync.client import connect

    url = fresh.app_url.replace("http://", "ws://") + f"/ws/events?token={fresh.token('HMD-01')}"
    with connect(url, open_timeout=10, origin="http://evil.example") as ws:  # type: ignore[arg-type]
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == "ws-origin-forbidden"
    own = fresh.app_url  # the app's own page may
    with connect(url, open_timeout=10, origin=own) as ws:  # type: ignore[arg-type]
        ws.send("hello")  # a listener: nothing comes back, and the socket stays open
        ws.close()


def test_a_revoked_token_is_refused_on_http_and_sockets(fresh: Stack) -> None:
    import json

    from websockets.sync.client import connect

    from assistant.access import DeviceTokens
    from assistant.ledger.db import make_engine
    from tests.support import issue

    token = issue(fresh.settings, "PAD-DG")
    headers = {"Authorization": f"Bearer {token}"}
    assert fresh.client.get("/api/v1/agv", headers=headers).status_code == 200
    engine = make_engine(fresh.settings.effective_database_url)
    assert DeviceTokens(engine).revoke_token(token)
    engine.dispose()
    refused = fresh.client.get("/api/v1/agv", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "auth-invalid-token"
    url = fresh.app_url.replace("http://", "ws://") + f"/ws/events?token={token}"
    with connect(url, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == "auth-invalid-token"


@pytest.mark.parametrize(("device", "text", "says"), [
    ("PAD-02", "调拨5件曲轴到总装线B区", "店员不能调拨"),  # a clerk transfers nothing
    # the shop's manager, the plant's line
    ("PAD-01", "调拨5件曲轴到总装线B区", "这台平板属于福州茶叶店，不能调拨东莞汽配厂的物料"),
    ("HMD-01", "张三买两斤铁观音", "操作员不能开销售单"),  # an operator sells nothing
])
def test_a_command_the_worker_may_not_give_is_refused_in_words_and_writes_nothing(
        fresh: Stack, device: str, text: str, says: str) -> None:
    before = fresh.stock("PAD-DG", "CS-1001")
    refused = fresh.turn(device, text)
    assert says in refused["reply"]["text"], refused["reply"]
    assert refused["documents"] == [] and refused["awaiting"] is None and refused["draft"] is None
    after = fresh.turn(device, "确认")  # nothing was read back, so nothing can be confirmed
    assert after["documents"] == []
    assert fresh.stock("PAD-DG", "CS-1001") == before
