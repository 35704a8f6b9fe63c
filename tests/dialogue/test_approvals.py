"""A transfer over the operator's limit waits for a supervisor, on the real stack (Rasa, app, SQLite, broker):
read back with a warning, stored waiting on "确认" with nothing reserved, the supervisor's tablet told; approved by
saying "批准TR-…" or by the API, rejected likewise; the requester's device told either way."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa


def _events(stack: Stack, device: str) -> ClientConnection:
    url = stack.app_url.replace("http://", "ws://") + f"/ws/events?token={stack.token(device)}"
    return connect(url, open_timeout=10)


def _next(ws: ClientConnection, event: str) -> dict[str, Any]:
    """The next notice of this kind (AGV news about the same transfer may come first)."""
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=20))
        if message.get("event") == event:
            return message


def _reserved(stack: Stack) -> float:
    return sum(row["reserved"] for row in stack.stock("PAD-DG", "BT-M8").values())


def _waiting(stack: Stack) -> dict[str, Any]:
    read_back = stack.turn("HMD-01", "调拨200个螺栓到总装线A区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    assert "审批限额" in read_back["reply"]["text"] and "螺栓M8 200" in read_back["reply"]["text"]
    done = stack.turn("HMD-01", "确认")
    document = doc_of(done)
    assert document["status"] == "awaiting_approval" and "尚未预留" in done["reply"]["text"]
    assert _reserved(stack) == 0
    return document


def test_a_supervisor_approves_by_saying_its_number(fresh: Stack) -> None:
    with _events(fresh, "PAD-DG") as supervisor, _events(fresh, "HMD-01") as requester:
        document = _waiting(fresh)
        asked = _next(supervisor, "approval-requested")
        assert asked["doc_id"] == document["id"] and "王师傅" in asked["text"] and asked["agv"] is None
        approved = fresh.turn("PAD-DG", f"批准{document['id']}")
        assert approved["reply"]["text"].startswith(f"已批准调拨单{document['id']}"), approved["reply"]
        assert doc_of(approved)["status"] == "confirmed" and doc_of(approved)["decided_by"] == "W03"
        told = _next(requester, "approval-approved")
        assert told["doc_id"] == document["id"] and "赵主管" in told["text"]
    assert _reserved(fresh) == 200


def test_rejected_by_the_api_moves_nothing_and_the_requester_hears_it(fresh: Stack) -> None:
    with _events(fresh, "HMD-01") as requester:
        document = _waiting(fresh)
        url = f"/api/v1/documents/{document['id']}/reject"
        by_operator = fresh.client.post(url, headers={"Authorization": f"Bearer {fresh.token('HMD-02')}"})
        assert by_operator.status_code == 403 and by_operator.json()["error"]["code"] == "approval-not-permitted"
        by_other_site = fresh.client.post(url, headers={"Authorization": f"Bearer {fresh.token('PAD-01')}"})
        assert by_other_site.status_code == 404
        rejected = fresh.client.post(url, headers={"Authorization": f"Bearer {fresh.token('PAD-DG')}"})
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        assert "驳回" in _next(requester, "approval-rejected")["text"]
        twice = fresh.client.post(f"/api/v1/documents/{document['id']}/approve",
                                  headers={"Authorization": f"Bearer {fresh.token('PAD-DG')}"})
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "approval-not-waiting"
    assert _reserved(fresh) == 0


def test_an_operator_saying_approve_is_refused_before_the_dialogue(fresh: Stack) -> None:
    document = _waiting(fresh)
    refused = fresh.turn("HMD-02", f"批准{document['id']}")
    assert "操作员不能审批调拨单" in refused["reply"]["text"], refused["reply"]
    assert refused["documents"] == []
    assert _reserved(fresh) == 0
