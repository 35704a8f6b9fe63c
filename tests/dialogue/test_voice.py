"""Spoken commands (real audio fixtures) through POST /api/v1/turns and the headset socket: real Whisper, the
vocabulary corrector, the real Rasa server and the ledger. A margin that holds on any CPU of this kind (Whisper's
int8 kernels differ between CPUs); the accuracy itself is a benchmark (docs/benchmarks.md)."""

from __future__ import annotations

import json
import wave
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa

VOICE = Path(__file__).resolve().parent.parent / "fixtures" / "voice"
CONFIRMED = {"confirmed", "in_progress", "done"}
GROSS_REGRESSION = 3  # clips of a set a CPU difference may cost before this test objects (~25 %)


def _audio_turn(stack: Stack, device: str, path: Path) -> dict[str, Any]:
    response = stack.client.post("/api/v1/turns", files={"audio": (path.name, path.read_bytes(), "audio/wav")},
                                 headers={"Authorization": f"Bearer {stack.token(device)}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _has_doc(turn: dict[str, Any], kind: str, expect: dict[str, Any]) -> bool:
    for doc in turn["documents"]:
        line = doc["lines"][0]
        if doc["type"] == kind and line["item"] == expect["item"] and \
                line["qty_base"] == pytest.approx(expect["qty_base"], abs=0.51) and \
                ("to" not in expect or line["to"] == expect["to"]) and \
                ("customer" not in expect or doc["customer"]["code"] == expect["customer"]):
            return True
    return False


def _mentions(turn: dict[str, Any], code: str) -> bool:
    return code in json.dumps(turn, ensure_ascii=False)


def _ws_turn(stack: Stack, device: str, path: Path) -> dict[str, Any]:
    """The same recording streamed over the headset WebSocket in 0.25 s chunks, push-to-talk released."""
    with wave.open(str(path), "rb") as wav:
        pcm = wav.readframes(wav.getnframes())
    url = stack.app_url.replace("http://", "ws://") + f"/ws/headset?token={stack.token(device)}"
    with connect(url, open_timeout=10) as ws:
        ws.send(json.dumps({"config": {"sample_rate": 16000}}))
        for start in range(0, len(pcm), 8000):
            ws.send(pcm[start:start + 8000])
        ws.send(json.dumps({"eof": 1}))
        while True:
            message = json.loads(ws.recv(timeout=60))
            if "reply" in message:
                turn: dict[str, Any] = message["turn"]
                return turn
            assert "error" not in message, message


Speak = Callable[[Stack, str, Path], dict[str, Any]]


def _run_case(stack: Stack, case: dict[str, Any], path: Path, speak: Speak = _audio_turn) -> bool:
    device, expect = case["device"], case["expect"]
    english = case["lang"] == "en"
    if expect["intent"] in ("affirm", "cancel", "deny"):
        stack.turn(device, "transfer five crankshafts to assembly line B" if english else "调拨5件曲轴到总装线B区")
        turn = speak(stack, device, path)
        if expect["intent"] == "affirm":
            return _has_doc(turn, "transfer", {"item": "CS-1001", "qty_base": 5, "to": "LINE-B"})
        return not any(d["status"] in CONFIRMED for d in turn["documents"]) and turn["awaiting"] is None
    turn = speak(stack, device, path)
    if turn["intent"]["name"] != expect["intent"]:
        return False
    if "missing" in expect:
        return _mentions(turn, expect["item"]) and bool(turn["awaiting"])
    if expect["intent"] in ("transfer_stock", "create_sales_order"):
        done = stack.turn(device, "yes" if english else "确认")
        return _has_doc(done, "transfer" if expect["intent"] == "transfer_stock" else "sales_order", expect)
    return _mentions(turn, expect.get("item") or expect["to"])


@pytest.mark.parametrize("channel", ["upload", "headset-websocket"])
def test_spoken_commands_end_to_end(fresh: Stack, channel: str) -> None:
    manifest = json.loads((VOICE / "manifest.json").read_text(encoding="utf-8"))
    speak = _audio_turn if channel == "upload" else _ws_turn
    score: Counter[str] = Counter()
    missed = []
    for case in manifest:
        for suffix in ("", "_noisy"):
            fresh.restart(case["device"])
            if _run_case(fresh, case, VOICE / f"{case['id']}{suffix}.wav", speak):
                score[case["lang"] + suffix] += 1
            else:
                missed.append(case["id"] + suffix)
    print(f"voice over {channel}: {dict(score)}; missed: {missed}")
    sizes = Counter(case["lang"] + suffix for case in manifest for suffix in ("", "_noisy"))
    assert all(score[key] >= size - GROSS_REGRESSION for key, size in sizes.items()), (score, missed)


def test_silence_is_not_heard_and_writes_nothing(fresh: Stack, tmp_path: Path) -> None:
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * 16000 * 2)
    turn = _audio_turn(fresh, "HMD-01", silent)
    assert "没听清" in turn["reply"]["text"] and turn["documents"] == []


@pytest.mark.parametrize(("payload", "code", "status"), [
    (b"definitely not audio", "audio-unsupported", 415),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio-corrupt", 400),
])
def test_bad_audio(fresh: Stack, payload: bytes, code: str, status: int) -> None:
    response = fresh.client.post("/api/v1/turns", files={"audio": ("clip.wav", payload, "audio/wav")},
                                 headers={"Authorization": f"Bearer {fresh.token('HMD-01')}"})
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
