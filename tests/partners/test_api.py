"""Partner push in the running app (no dialogue engine): partners from FRONTLINE_PARTNERS, a sale confirmed in the
app is delivered to a partner on loopback, and the delivery log shows it to its site's manager only."""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest

from assistant.partners import EventType, verify_signature
from server.app import create_app
from server.services import Services
from server.settings import Settings
from tests.ledger.helpers import d
from tests.partners.helpers import SECRET, LoopbackPartner
from tests.support import free_port, issue, serve


def test_partners_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_PARTNERS", json.dumps([{"name": "bank", "url": "https://bank.example/hook",
                                                          "secret": SECRET, "events": ["transfer.done"]}]))
    [bank] = Settings().partners
    assert bank.events == {EventType.transfer_done} and bank.sites is None
    assert SECRET not in repr(bank)


def test_a_sale_in_the_app_reaches_the_partner_and_the_log(tmp_path_factory: pytest.TempPathFactory) -> None:
    receiver = LoopbackPartner(failures=1)
    with serve(receiver.app(), free_port()) as partner_url:
        port = free_port()
        settings = Settings(var_dir=tmp_path_factory.mktemp("partners"), port=port, secret="partners-test-secret",
                            start_rasa=False, start_agv_sim=False, rasa_url=f"http://127.0.0.1:{free_port()}",
                            partners=({"name": "bank", "url": f"{partner_url}/hook", "secret": SECRET,
                                       "events": ["sales_order.confirmed"], "sites": ["FZ"]},))
        app = create_app(settings)
        with serve(app, port) as url:
            services: Services = app.state.services
            assert services.partner_push is not None
            plan = services.ledger.plan_sales_order("FZ", "C003", dt.date(2026, 11, 30), [("TEA-LJ", d(500))])
            doc = services.ledger.confirm_sales_order(plan, device="PAD-02", worker="W12", turn_id="t-push").id
            services.partner_push.poke_threadsafe()

            def log(device: str) -> httpx.Response:
                token = issue(settings, device)
                return httpx.get(f"{url}/api/v1/partner-deliveries", params={"document": doc},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=30)

            deadline = time.monotonic() + 30
            while not (rows := log("PAD-01").json()) or rows[0]["status"] != "delivered":
                assert time.monotonic() < deadline, rows
                time.sleep(0.2)
            [row] = rows
            assert (row["partner"], row["event_type"], row["document"], row["attempts"]) == (
                "bank", "sales_order.confirmed", doc, 2)
            refused = log("PAD-02")  # a clerk
            assert refused.status_code == 403
            assert refused.json()["error"]["message_zh"] == "只有本场地的主管或经理能查看合作方推送记录。"
            assert log("PAD-DG").json() == []  # another site's supervisor
    [got] = receiver.accepted
    assert got.json["document"]["id"] == doc and got.json["id"] == row["event_id"]
    assert verify_signature(SECRET, got.body, got.headers["x-frontline-timestamp"],
                            got.headers["x-frontline-signature"])
