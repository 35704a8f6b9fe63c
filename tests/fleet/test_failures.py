"""No AGV, an AGV dying or failing mid-order, a broker restart, cancel: the transfer waits, nothing is lost."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.dialogue.agv import why_waiting
from assistant.dialogue.progress import progress_text
from assistant.fleet import AgvError, AgvOffline, CancelRefused, LinkStatus, TransferWaiting, WaitReason
from assistant.fleet.sim import SimConfig
from assistant.ledger.states import DocStatus
from assistant.world.loader import DEMO_WORLD
from server.launch import simulator_process
from tests.fleet.support import FAST, harness, wait_until


def _waiting(h, reason: WaitReason) -> list[TransferWaiting]:
    return [e for e in h.events if isinstance(e, TransferWaiting) and e.reason is reason]


async def test_no_agv_online_waits_then_dispatches_when_one_comes(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        doc_id = h.transfer()
        view = await h.fleet.dispatch_transfer(doc_id)
        assert view.status is LinkStatus.waiting and view.reason is WaitReason.no_agv and view.serial is None
        assert "排队" in (why_waiting(view, "zh") or "") and "waiting for one" in (why_waiting(view, "en") or "")
        [event] = _waiting(h, WaitReason.no_agv)
        assert event.worker == "W01" and event.device == "HMD-01" and event.supervisors == ("W03",)
        assert h.ledger.document(doc_id).status is DocStatus.confirmed
        await h.sim("AGV-02")
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        assert h.fleet.order(doc_id).serial == "AGV-02"  # type: ignore[union-attr]
        assert h.stock("LINE-B") == (Decimal(5), Decimal(0))


async def test_vehicle_process_killed_mid_order_puts_transfer_back_to_waiting(broker_kind: str,
                                                                              tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        # A real simulator process (`frontline agv-sim`), slow enough to be killed on the way to the rack.
        sim = simulator_process(h.broker.url, base=h.base, world=DEMO_WORLD, log_file=tmp_path / "agv-sim.log",
                                config=SimConfig(speed_m_s=1, state_period_s=0.2), serials=["AGV-01"]).start()
        try:
            await wait_until(lambda: h.fleet.agvs()[0].available, timeout=20, what="subprocess AGV online")
            doc_id = h.transfer()
            assert (await h.fleet.dispatch_transfer(doc_id)).status is LinkStatus.assigned
            await wait_until(lambda: h.fleet.agvs()[0].driving, what="AGV driving")
        finally:
            sim.kill()
        await wait_until(lambda: bool(_waiting(h, WaitReason.agv_offline)), what="waiting after the vehicle died")
        offline = [e for e in h.events if isinstance(e, AgvOffline) and e.doc_id == doc_id]
        assert [e.connection for e in offline] == ["CONNECTIONBROKEN"]
        view = h.fleet.order(doc_id)
        assert view is not None and view.status is LinkStatus.waiting and not view.picked
        assert view.reason is WaitReason.agv_offline and view.serial == "AGV-01" and view.detail is None
        assert "离线" in (why_waiting(view, "zh") or "") and "offline" in (why_waiting(view, "en") or "")
        assert h.ledger.document(doc_id).status is DocStatus.confirmed
        assert h.stock("A-01") == (Decimal(40), Decimal(5))  # still reserved, nothing moved
        await h.sim("AGV-02")  # nothing is lost: the other AGV finishes the job
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        assert h.stock("LINE-B") == (Decimal(5), Decimal(0))


async def test_error_before_pick_hands_the_transfer_to_the_other_agv(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        first = await h.sim("AGV-01", SimConfig(**{**FAST.__dict__, "error_at": "J1"}))
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = h.transfer()
        assert (await h.fleet.dispatch_transfer(doc_id)).serial == "AGV-01"
        await wait_until(lambda: bool(_waiting(h, WaitReason.agv_error)), what="waiting after the error")
        errors = [e for e in h.events if isinstance(e, AgvError)]
        assert errors[0].fatal and "driveError" in errors[0].errors[0] and errors[0].doc_id == doc_id
        assert h.ledger.document(doc_id).status is DocStatus.confirmed
        await wait_until(lambda: not first.nodes, what="AGV-01 cancelled its order")
        await h.sim("AGV-02")
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        assert h.fleet.order(doc_id).serial == "AGV-02"  # type: ignore[union-attr]


async def test_error_after_pick_waits_for_the_same_agv(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        vehicle = await h.sim("AGV-01", SimConfig(**{**FAST.__dict__, "error_at": "J3"}))
        await h.sim("AGV-02")
        await wait_until(lambda: all(a.available for a in h.fleet.agvs()), what="AGVs available")
        doc_id = h.transfer()
        await h.fleet.dispatch_transfer(doc_id)
        await wait_until(lambda: bool(_waiting(h, WaitReason.agv_error)), what="waiting after the error")
        [event] = _waiting(h, WaitReason.agv_error)
        assert event.picked and event.serial == "AGV-01" and event.detail and "driveError" in event.detail
        said = {lang: progress_text(h.world, event, lang) for lang in ("zh", "en")}
        assert "AGV-01" in said["zh"] and "货物在小车AGV-01上" in said["zh"] and "driveError" in said["zh"]
        assert "on AGV-01" in said["en"] and "driveError" in said["en"]
        assert h.ledger.document(doc_id).status is DocStatus.in_progress  # goods on the AGV, not yet moved
        assert h.stock("LINE-B") == (Decimal(0), Decimal(0))
        await asyncio.sleep(0.3)
        waiting = h.fleet.order(doc_id)
        assert waiting is not None and waiting.status is LinkStatus.waiting  # not AGV-02
        assert waiting.reason is WaitReason.agv_error and "driveError" in (waiting.detail or "")  # kept on retries
        vehicle.clear_errors()  # the operator clears the obstacle
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        view = h.fleet.order(doc_id)
        assert view is not None and view.serial == "AGV-01" and view.order_id == f"{doc_id}-2"
        assert h.stock("A-01") == (Decimal(35), Decimal(0)) and h.stock("LINE-B") == (Decimal(5), Decimal(0))


async def test_outbox_resends_after_a_broker_restart(tmp_path: Path) -> None:
    async with harness("embedded", tmp_path) as h:
        await h.sim("AGV-01")
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        assert h.embedded is not None
        await h.embedded.stop()
        doc_id = h.transfer()
        view = await h.fleet.dispatch_transfer(doc_id)  # stored; the publish fails while the broker is down
        assert view.status is LinkStatus.assigned
        await asyncio.sleep(0.3)
        await h.embedded.start()
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, timeout=15,
                         what="transfer done after the restart")
        assert h.stock("LINE-B") == (Decimal(5), Decimal(0))


async def test_cancel_before_pick_stops_the_agv_and_releases_the_reservation(broker_kind: str,
                                                                              tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        vehicle = await h.sim("AGV-01", SimConfig(**{**FAST.__dict__, "speed_m_s": 2.0}))
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = h.transfer()
        await h.fleet.dispatch_transfer(doc_id)
        await wait_until(lambda: vehicle.driving, what="driving")
        view = await h.fleet.cancel(doc_id)
        assert view.status is LinkStatus.cancelled
        assert h.ledger.document(doc_id).status is DocStatus.cancelled
        assert h.stock("A-01") == (Decimal(40), Decimal(0))
        await wait_until(lambda: any(a["actionType"] == "cancelOrder" and a["actionStatus"] == "FINISHED"
                                     for a in vehicle.actions.values()), what="cancelOrder finished")
        assert not vehicle.nodes and not vehicle.driving
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 free again")


async def test_cancel_after_pick_is_refused(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        await h.sim("AGV-01", SimConfig(**{**FAST.__dict__, "error_at": "J3"}))
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = h.transfer()
        await h.fleet.dispatch_transfer(doc_id)
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.in_progress, what="picked")
        with pytest.raises(CancelRefused):
            await h.fleet.cancel(doc_id)


async def test_unreachable_destination_is_a_typed_error_and_no_order(tmp_path: Path) -> None:
    from assistant.routing import Unreachable
    from tests.routing.support import world_with_island

    async with harness("embedded", tmp_path, world=world_with_island()) as h:
        await h.sim("AGV-01")
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = h.transfer(to="ISLAND")
        with pytest.raises(Unreachable):
            await h.fleet.dispatch_transfer(doc_id)
        assert h.fleet.order(doc_id) is None and h.fleet.orders() == []
        assert h.ledger.document(doc_id).status is DocStatus.confirmed
