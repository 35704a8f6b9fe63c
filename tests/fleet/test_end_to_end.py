"""A confirmed transfer of 5 CS-1001 A-01 → LINE-B driven by a simulated AGV over a real broker."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assistant.fleet import LinkStatus
from assistant.ledger.states import DocStatus
from tests.fleet.support import harness, wait_until


async def test_transfer_is_driven_to_done_and_stock_moves(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        await h.sim("AGV-01")
        await h.sim("AGV-02")
        await wait_until(lambda: all(a.available for a in h.fleet.agvs()), what="both AGVs available")
        doc_id = h.transfer()
        assert h.stock("A-01") == (Decimal(40), Decimal(5))
        view = await h.fleet.dispatch_transfer(doc_id, "t-fleet")
        assert view.status is LinkStatus.assigned and view.serial == "AGV-01"  # C1 is nearer A01 than C2
        assert view.order_id == f"{doc_id}-1" and view.sources == ("A-01",) and view.destination == "LINE-B"
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        assert h.stock("A-01") == (Decimal(35), Decimal(0))
        assert h.stock("LINE-B") == (Decimal(5), Decimal(0))
        await wait_until(lambda: "agv_dropped" in h.kinds(), what="dropped event")
        done = h.fleet.order(doc_id)
        assert done is not None and done.status is LinkStatus.done and done.order_update_id == 1
        assert h.kinds() == ["agv_arrived", "agv_picked", "agv_arrived", "agv_dropped"]
        assert [getattr(e, "purpose", None) for e in h.events[::2]] == ["pick", "drop"]
        # the document's history shows the turn that asked for it at every step
        assert [d.id for d in h.ledger.documents_for_turn("t-fleet")] == [doc_id]
        agv = next(a for a in h.fleet.agvs() if a.serial == "AGV-01")
        assert agv.last_node == "LB" and agv.available and agv.doc_id is None


async def test_dispatching_twice_sends_one_order(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        await h.sim("AGV-01")
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        doc_id = h.transfer()
        first = await h.fleet.dispatch_transfer(doc_id)
        second = await h.fleet.dispatch_transfer(doc_id)
        assert first.order_id == second.order_id
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="transfer done")
        assert h.stock("LINE-B") == (Decimal(5), Decimal(0))
