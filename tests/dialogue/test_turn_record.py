"""Every turn on the record, on the real stack: written before the answer goes out (words, taps, refusals,
recordings, errors), readable by the site's supervisors and managers only, and linked from the documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import wave
from typing import Any

import pytest

from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa


def _get(stack: Stack, caller: str, path: str, **params: str) -> tuple[int, Any]:
    response = stack.client.get(path, params=params, headers={"Authorization": f"Bearer {stack.token(caller)}"})
    return response.status_code, response.json()


def test_a_transfer_is_on_the_record_turn_by_turn(fresh: Stack) -> None:
    since = dt.datetime.now(dt.UTC).isoformat()
    read_back = fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
    done = fresh.tap("HMD-01", "confirm")
    document = doc_of(done)
    assert document["turns"] == [done["turn_id"]]  # the document names the turn that made it

    status, record = _get(fresh, "PAD-DG", f"/api/v1/turns/{read_back['turn_id']}")
    assert status == 200, record
    assert record["device"] == "HMD-01" and record["worker"] == "W01" and record["channel"] == "api"
    assert record["input_kind"] == "text" and record["input_text"] == "调拨5件曲轴到总装线B区"
    assert record["input_sha256"] == hashlib.sha256("调拨5件曲轴到总装线B区".encode()).hexdigest()
    assert record["intent"] == "transfer_stock" and record["intent_confidence"] > 0
    assert {e["entity"]: e["value"] for e in record["entities"]}["item"] == "CS-1001"
    assert record["reply"] == read_back["reply"]["text"] and record["result"] == "ok"
    assert {"nlu", "total"} <= set(record["timings_ms"]) and record["documents"] == []

    status, confirmed = _get(fresh, "PAD-DG", f"/api/v1/turns/{done['turn_id']}")
    assert status == 200 and confirmed["input_kind"] == "action" and confirmed["input_text"] == "confirm"
    assert confirmed["documents"] == [document["id"]]

    status, listed = _get(fresh, "PAD-DG", "/api/v1/turns", device="HMD-01", since=since)
    assert status == 200 and [r["id"] for r in listed] == [read_back["turn_id"], done["turn_id"]]


def test_only_the_sites_supervisors_and_managers_read_it(fresh: Stack) -> None:
    turn = fresh.turn("HMD-01", "曲轴还有多少")
    status, body = _get(fresh, "HMD-01", f"/api/v1/turns/{turn['turn_id']}")  # an operator
    assert status == 403 and body["error"]["code"] == "turns-not-permitted"
    status, body = _get(fresh, "PAD-01", f"/api/v1/turns/{turn['turn_id']}")  # the tea shop's manager
    assert status == 404 and body["error"]["code"] == "turn-not-found"
    status, body = _get(fresh, "PAD-01", "/api/v1/turns", device="HMD-01")
    assert status == 404 and body["error"]["code"] == "unknown-device-code"
    status, body = _get(fresh, "PAD-01", "/api/v1/turns")
    assert status == 200 and all(r["site"] == "FZ" for r in body)


def test_refusals_and_errors_are_on_the_record_too(fresh: Stack) -> None:
    refused = fresh.turn("PAD-02", "调拨5件曲轴到总装线B区")  # a clerk
    status, record = _get(fresh, "PAD-01", f"/api/v1/turns/{refused['turn_id']}")
    assert status == 200 and record["result"] == "refused" and record["reply"] == refused["reply"]["text"]

    empty = fresh.client.post("/api/v1/turns", json={"text": "   "},
                              headers={"Authorization": f"Bearer {fresh.token('PAD-02')}"})
    assert empty.status_code == 422
    status, record = _get(fresh, "PAD-01", f"/api/v1/turns/{empty.json()['turn_id']}")
    assert status == 200 and record["result"] == "input-empty" and record["stage"] == "input"
    assert record["input_text"] == "   "


def test_a_recording_is_kept_by_its_hash(fresh: Stack) -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(16000)
        clip.writeframes(b"\x00\x00" * 16000)
    audio = out.getvalue()
    response = fresh.client.post("/api/v1/turns", files={"audio": ("clip.wav", audio, "audio/wav")},
                                 headers={"Authorization": f"Bearer {fresh.token('HMD-01')}"})
    turn = response.json()
    status, record = _get(fresh, "PAD-DG", f"/api/v1/turns/{turn['turn_id']}")
    assert status == 200 and record["input_kind"] == "audio"
    assert record["input_sha256"] == hashlib.sha256(audio).hexdigest()
    assert record["result"] == "not-heard" and "stt" in record["timings_ms"]
    assert record["media_path"] is None  # the default keeps no recordings, only their hash
