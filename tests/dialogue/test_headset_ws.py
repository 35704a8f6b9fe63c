"""The headset WebSocket with real audio: streaming captions, transcript, reply; many utterances per
connection; bad frames close cleanly and leave the server serving."""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.dialogue.conftest import Stack, doc_of

pytestmark = pytest.mark.rasa

VOICE = Path(__file__).resolve().parent.parent / "fixtures" / "voice"


def _ws(stack: Stack, device: str | None = "HMD-01") -> ClientConnection:
    url = stack.app_url.replace("http://", "ws://") + "/ws/headset"
    if device:
        url += f"?token={stack.token(device)}"
    return connect(url, open_timeout=10, close_timeout=5)


def _pcm(name: str) -> bytes:
    with wave.open(str(VOICE / name), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        return wav.readframes(wav.getnframes())


def _speak(ws: ClientConnection, pcm: bytes) -> list[dict[str, Any]]:
    """Stream in 0.25 s chunks, release push-to-talk, collect messages until the reply."""
    messages: list[dict[str, Any]] = []
    for start in range(0, len(pcm), 8000):
        ws.send(pcm[start:start + 8000])
    ws.send(json.dumps({"eof": 1}))
    while not messages or ("reply" not in messages[-1] and "error" not in messages[-1]):
        messages.append(json.loads(ws.recv(timeout=60)))
    return messages


def test_two_utterances_on_one_connection(fresh: Stack) -> None:
    with _ws(fresh) as ws:
        ws.send(json.dumps({"config": {"sample_rate": 16000}}))
        first = _speak(ws, _pcm("zh01.wav"))
        finals = [m for m in first if "text" in m]
        assert finals and "曲轴" in finals[0]["text"]
        reply = first[-1]["reply"]
        assert reply["awaiting"] == "confirmation" and reply["card"]["lines"] and reply["tts"]
        assert first[-1]["turn"]["input"]["kind"] == "audio"
        second = _speak(ws, _pcm("zh06.wav"))  # "确认"
        doc = doc_of(second[-1]["turn"])
        assert doc["type"] == "transfer" and doc["lines"][0]["to"] == "LINE-B"
        assert second[-1]["reply"]["card"]["title"] == "已确认"
    # both utterances are on the record, as heard (the recording's hash) and as understood
    record = fresh.client.get(f"/api/v1/turns/{second[-1]['turn']['turn_id']}",
                              headers={"Authorization": f"Bearer {fresh.token('PAD-DG')}"}).json()
    assert record["channel"] == "headset" and record["input_kind"] == "audio" and record["input_sha256"]
    assert record["transcript"] and record["documents"] == [doc["id"]] and record["result"] == "ok"


def test_streaming_sends_captions_before_the_end(fresh: Stack) -> None:
    with _ws(fresh) as ws:
        messages = _speak(ws, _pcm("zh03.wav") + b"\x00\x00" * 16000)
        assert any("partial" in m for m in messages) or len([m for m in messages if "text" in m]) == 1


def _closed_with(ws: ClientConnection, code: int) -> dict[str, Any]:
    error = json.loads(ws.recv(timeout=10))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code
    return error


def test_no_token_is_refused(fresh: Stack) -> None:
    with _ws(fresh, device=None) as ws:
        assert _closed_with(ws, 1008)["error"]["code"] == "auth-invalid-token"


@pytest.mark.parametrize(("frame", "code", "close"), [
    ("not json", "ws-bad-message", 1003),
    (json.dumps({"config": {"sample_rate": 3}}), "ws-bad-config", 1003),
    (b"\x00" * (65 * 1024), "ws-frame-too-big", 1009),
    (b"\x00\x01\x02", "ws-bad-audio", 1003),
])
def test_bad_frames_close_cleanly_and_the_server_keeps_serving(fresh: Stack, frame: str | bytes, code: str,
                                                               close: int) -> None:
    with _ws(fresh) as ws:
        ws.send(frame)
        assert _closed_with(ws, close)["error"]["code"] == code
    assert fresh.client.get("/health").status_code == 200


def test_a_client_that_stops_mid_utterance_is_timed_out(fresh: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    import server.routes.headset as headset

    monkeypatch.setattr(headset, "IDLE_TIMEOUT_S", 1.0)
    with _ws(fresh) as ws:
        ws.send(_pcm("zh01.wav")[:16000])
        messages = []
        while True:
            try:
                messages.append(json.loads(ws.recv(timeout=10)))
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 4408
                break
        assert messages[-1]["error"]["code"] == "ws-timeout"


def test_vosk_servers_own_client_works_unchanged(fresh: Stack) -> None:
    """vosk-server's websocket/test.py, step for step: its config text, 0.2 s chunks each followed by waiting for
    one message, then its eof text and one last message. Every wait is answered (none hangs, none times out)."""
    with wave.open(str(VOICE / "zh01.wav"), "rb") as wf, _ws(fresh) as websocket:
        websocket.send('{ "config" : { "sample_rate" : %d } }' % (wf.getframerate()))  # noqa: UP031 (theirs)
        buffer_size = int(wf.getframerate() * 0.2)  # 0.2 seconds of audio
        answers = []
        while True:
            data = wf.readframes(buffer_size)
            if len(data) == 0:
                break
            websocket.send(data)
            answers.append(json.loads(websocket.recv(timeout=10)))
        websocket.send('{"eof" : 1}')
        answers.append(json.loads(websocket.recv(timeout=30)))
    assert all({"partial", "text"} & set(a) or "reply" in a for a in answers), answers
    heard = [a["text"] for a in answers if a.get("text")]
    assert heard and "曲轴" in heard[0]  # the final result came, whether the VAD or the eof ended the utterance


def _until_reply(ws: ClientConnection) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while not messages or ("reply" not in messages[-1] and "error" not in messages[-1]):
        messages.append(json.loads(ws.recv(timeout=60)))
    return messages


def test_a_tapped_button_on_the_socket_confirms_the_draft_it_names(fresh: Stack) -> None:
    """The headset view's confirm button: {"action", "draft"} on the socket, answered as a spoken turn is; a tap
    naming a read-back that is no longer the one waiting confirms nothing."""
    with _ws(fresh) as ws:
        heard = _speak(ws, _pcm("zh01.wav"))[-1]
        draft = heard["turn"]["draft"]
        assert heard["reply"]["awaiting"] == "confirmation" and draft["type"] == "transfer"
        ws.send(json.dumps({"action": "confirm", "draft": "not-" + draft["id"]}))
        stale = _until_reply(ws)[-1]
        assert stale["turn"]["documents"] == [] and stale["turn"]["awaiting"] == "confirmation"
        ws.send(json.dumps({"action": "confirm", "draft": draft["id"]}))
        done = _until_reply(ws)[-1]
        doc = doc_of(done["turn"])
        assert doc["type"] == "transfer" and doc["lines"][0]["to"] == "LINE-B"
        assert done["reply"]["card"]["title"] == "已确认" and done["reply"]["guidance"]["svg"].startswith("<svg")
        ws.send(json.dumps({"action": "maybe"}))
        assert _closed_with(ws, 1003)["error"]["code"] == "ws-bad-message"
    record = fresh.client.get(f"/api/v1/turns/{done['turn']['turn_id']}",
                              headers={"Authorization": f"Bearer {fresh.token('PAD-DG')}"}).json()
    assert record["channel"] == "headset" and record["input_kind"] == "action" and record["documents"] == [doc["id"]]


def test_releasing_after_the_server_heard_the_end_asks_nothing_again(fresh: Stack) -> None:
    """Push-to-talk held on after the words: the server's VAD ends the utterance and answers it; the release's eof
    ends only the quiet after it, which is no new turn (no "say it again")."""
    with _ws(fresh) as ws:
        pcm = _pcm("zh01.wav") + b"\x00\x00" * 16000 * 2
        messages: list[dict[str, Any]] = []
        for start in range(0, len(pcm), 3200):  # 0.1 s frames, as the view sends them
            ws.send(pcm[start:start + 3200])
        while not any("reply" in m for m in messages):  # the server heard the end by itself
            messages.append(json.loads(ws.recv(timeout=60)))
        assert "曲轴" in next(m["text"] for m in messages if "text" in m)
        frames = len(range(0, len(pcm), 3200))
        while len([m for m in messages if "partial" in m or "text" in m]) < frames:  # every frame answered
            messages.append(json.loads(ws.recv(timeout=60)))
        ws.send(json.dumps({"eof": 1}))
        last = json.loads(ws.recv(timeout=60))
        assert last == {"text": "", "raw": "", "confidence": 0.0, "language": last["language"]}
        with pytest.raises(TimeoutError):
            ws.recv(timeout=2)  # and no reply follows
        again = _speak(ws, _pcm("zh06.wav"))[-1]  # "确认": the read-back was still waiting
        assert doc_of(again["turn"])["type"] == "transfer"
