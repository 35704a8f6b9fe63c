"""AGV news pushed to devices: one event, and each device gets the words in its own worker's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.fleet import AgvPicked, TransferWaiting, WaitReason
from assistant.world.schema import World
from server.notices import fleet_listener
from server.push import DevicePush


@dataclass
class _Doc:
    device: str | None
    site: str


class _Ledger:
    def document(self, doc_id: str) -> _Doc:
        return _Doc(device="HMD-01", site="DG")


def _world_with_an_english_supervisor(world: World) -> World:
    workers = tuple(w.model_copy(update={"language": "en"}) if w.code == "W03" else w for w in world.workers)
    return world.model_copy(update={"workers": workers})


async def test_each_device_hears_it_in_its_workers_language(world: World) -> None:
    world = _world_with_an_english_supervisor(world)
    push = DevicePush()
    got: dict[str, dict[str, Any]] = {}
    for device in ("HMD-01", "PAD-DG"):
        async def send(message: dict[str, Any], device: str = device) -> None:
            got[device] = message
        push.attach(device, send)
    listener = fleet_listener(world, _Ledger(), push)  # type: ignore[arg-type]
    await listener(TransferWaiting(serial="AGV-01", doc_id="TR-000003", reason=WaitReason.agv_offline, picked=False,
                                   detail=None, site="DG", worker="W01", device="HMD-01", supervisors=("W03",)))
    wearer, supervisor = got["HMD-01"], got["PAD-DG"]
    assert wearer.keys() == {"event", "doc_id", "text", "text_zh", "text_en", "agv"}
    assert wearer["event"] == "transfer_waiting" and wearer["doc_id"] == "TR-000003"
    assert wearer["text"] == wearer["text_zh"] == (
        "小车AGV-01已离线，调拨单TR-000003改为等待。货物仍在原货位，库存未变动。")
    assert supervisor["text"] == supervisor["text_en"] == (
        "AGV-01 went offline; transfer TR-000003 is waiting again. The goods are still at the source; no stock was "
        "moved.")
    assert wearer["agv"]["reason"] == "agv_offline" and "message_zh" not in wearer["agv"]

    got.clear()
    await listener(AgvPicked(serial="AGV-01", doc_id="TR-000003"))
    assert list(got) == ["HMD-01"] and got["HMD-01"]["text"] == "AGV-01 已取货，正在送往目的地"
