"""End to end on a real Mosquitto: "调拨5件曲轴到总装线B区" + "确认" → a schema-valid VDA 5050 order, the
simulator drives it, the transfer ends done with stock moved A-01 → LINE-B, and the headset got the route
and progress on its WebSocket."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from assistant.fleet.sim import SimConfig
from server.launch import ChildProcess, simulator_process
from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa


@pytest.fixture
def simulator(fresh: Stack) -> Iterator[ChildProcess]:
    settings = fresh.settings
    process = simulator_process(settings.mqtt_url or "", base=settings.fleet_base_topic, world=settings.world_path,
                                log_file=settings.var_dir / "log" / "agv-sim.log",
                                config=SimConfig(speed_m_s=25, action_s=0.3, state_period_s=0.2)).start()
    headers = {"Authorization": f"Bearer {fresh.token('HMD-01')}"}
    deadline = time.monotonic() + 30
    while not all(agv["online"] for agv in fresh.client.get("/api/v1/agv", headers=headers).json()):
        assert time.monotonic() < deadline, "the simulated AGVs did not come online"
        time.sleep(0.2)
    yield process
    process.stop()


def test_transfer_is_fetched_by_an_agv_and_the_wearer_is_guided(fresh: Stack, simulator: object) -> None:
    url = fresh.app_url.replace("http://", "ws://") + f"/ws/headset?token={fresh.token('HMD-01')}"
    with connect(url, open_timeout=10) as headset:
        fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
        done = fresh.turn("HMD-01", "确认")
        transfer = next(d for d in done["documents"] if d["type"] == "transfer")
        order = next(d for d in done["documents"] if d["type"] == "agv_order")
        assert order["transfer"] == transfer["id"] and order["agv"] in ("AGV-01", "AGV-02")
        assert done["guidance"]["destination"] == "LINE-B" and done["guidance"]["waypoints"]
        assert "<svg" in done["guidance"]["svg"]
        events = []
        while "agv_dropped" not in events:
            message = json.loads(headset.recv(timeout=60))
            events.append(message.get("event"))
        assert events.index("agv_arrived") < events.index("agv_picked") < events.index("agv_dropped")

    headers = {"Authorization": f"Bearer {fresh.token('HMD-01')}"}
    deadline = time.monotonic() + 10
    while fresh.client.get(f"/api/v1/documents/{transfer['id']}", headers=headers).json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    stock = fresh.stock("HMD-01", "CS-1001")
    assert stock["A-01"]["on_hand"] == 35.0 and stock["A-01"]["reserved"] == 0.0
    assert stock["LINE-B"]["on_hand"] == 5.0
    orders = fresh.client.get("/api/v1/agv/orders", headers=headers).json()
    assert any(o["transfer"] == transfer["id"] and o["status"] == "done" for o in orders)


def test_with_no_agv_online_the_transfer_waits_and_the_supervisor_hears_it(fresh: Stack) -> None:
    url = fresh.app_url.replace("http://", "ws://") + f"/ws/events?token={fresh.token('PAD-DG')}"
    with connect(url, open_timeout=10) as supervisor:
        fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
        done = fresh.turn("HMD-01", "确认")
        order = next(d for d in done["documents"] if d["type"] == "agv_order")
        assert order["status"] == "waiting" and "排队" in done["reply"]["text"]
        assert order["message"] == f"暂无可用小车，调拨单{order['transfer']}正在排队等待。"
        assert order["message_en"] == f"No AGV is available; transfer {order['transfer']} is waiting for one."
        message = json.loads(supervisor.recv(timeout=20))
        assert message["event"] == "transfer_waiting" and message["doc_id"] == order["transfer"]
        assert "暂无可用小车" in message["text"] and message["text"] == message["text_zh"]  # W03 reads Mandarin
        assert message["text_en"] == order["message_en"]
        assert message["agv"]["reason"] == "no_agv" and "message_zh" not in message["agv"]
    guidance = done["guidance"]  # the wearer walks to the line meanwhile, told in the reply's language
    assert guidance["card"]["title"] == "→ 总装线B区" and guidance["card"]["lines"][0].endswith("秒")
    assert guidance["tts"].startswith("请前往总装线B区，距离约")


def test_in_english_the_wait_and_the_way_are_said_in_english(fresh: Stack) -> None:
    fresh.turn("HMD-01", "transfer five crankshafts to assembly line B")
    done = fresh.turn("HMD-01", "yes")
    order = next(d for d in done["documents"] if d["type"] == "agv_order")
    assert f"No AGV is available; transfer {order['transfer']} is waiting for one." in done["reply"]["text"]
    assert "排队" not in done["reply"]["text"]
    guidance = done["guidance"]
    assert guidance["card"]["title"] == "→ assembly line B" and " m · ~" in guidance["card"]["lines"][0]
    assert guidance["tts"].startswith("Walk to assembly line B, about ")


def test_the_wearer_sees_the_agv_drive_to_the_line(fresh: Stack, simulator: object) -> None:
    """While the AGV works on the wearer's transfer, the headset's socket carries where it is ({"vehicle"}: its
    VDA 5050 position, metres on the map), changing as it drives; the last word on it is at the line's node."""
    url = fresh.app_url.replace("http://", "ws://") + f"/ws/headset?token={fresh.token('HMD-01')}"
    with connect(url, open_timeout=10) as headset:
        fresh.turn("HMD-01", "调拨5件曲轴到总装线B区")
        done = fresh.turn("HMD-01", "确认")
        transfer = next(d for d in done["documents"] if d["type"] == "transfer")
        seen: list[dict[str, object]] = []
        while not seen or seen[-1]["doc_id"] == transfer["id"]:  # until it is done with the transfer
            message = json.loads(headset.recv(timeout=60))
            if "vehicle" in message:
                seen.append(message["vehicle"])
                assert message.keys() == {"vehicle"}
    serials = {v["serial"] for v in seen}
    assert len(serials) == 1 and seen[0]["doc_id"] == transfer["id"]
    assert len({(v["x"], v["y"]) for v in seen}) >= 4  # it moved, and the socket said so on the way
    assert any(v["driving"] for v in seen)
    assert (seen[-1]["x"], seen[-1]["y"]) == (34.0, 6.0) and seen[-1]["last_node"] == "LB"  # at assembly line B
    assert seen[-1]["doc_id"] is None
