"""The dashboard's socket and endpoints without the dialogue engine: who may open it (a refusal in words), what a
site's snapshot holds (its own vehicles, map and names; never another site's), events published into the feed
reaching only their site, a turn's photo served to the site's supervisor and to nobody else, and the feed's
bookkeeping (a subscriber that falls behind starts over)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from fastapi import FastAPI
from websockets.sync.client import ClientConnection, connect

from assistant.alerts import Alert, AlertStatus
from server.app import create_app
from server.feed import SiteFeed
from server.schemas.dashboard import LowStockOut, StockEventOut
from server.settings import Settings
from tests.dialogue.conftest import label_png
from tests.support import free_port, issue, serve


class _App:
    def __init__(self, app: FastAPI, url: str, settings: Settings) -> None:
        self.app, self.url, self.settings = app, url, settings
        self.tokens: dict[str, str] = {}

    def token(self, device: str) -> str:
        if device not in self.tokens:
            self.tokens[device] = issue(self.settings, device)
        return self.tokens[device]

    def socket(self, device: str, origin: str | None = None) -> ClientConnection:
        url = self.url.replace("http://", "ws://") + f"/ws/dashboard?token={self.token(device)}"
        return connect(url, open_timeout=10, origin=origin)  # type: ignore[arg-type]

    def headers(self, device: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(device)}"}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_App]:
    port = free_port()
    settings = Settings(var_dir=tmp_path_factory.mktemp("dashboard"), port=port, secret="dashboard-test-secret",
                        start_rasa=False, start_agv_sim=False, rasa_url=f"http://127.0.0.1:{free_port()}",
                        keep_media_days=7)
    app = create_app(settings)
    with serve(app, port) as url:
        yield _App(app, url, settings)


def _json(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=20))
    return message


def _next(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = _json(ws)
        if message.get("type") == kind:
            return message


def test_an_operator_is_refused_in_words(running: _App) -> None:
    with running.socket("HMD-01") as ws:
        refusal = _json(ws)
        assert refusal["error"]["code"] == "dashboard-not-permitted"
        assert refusal["error"]["message"].startswith("看板只对本场地的主管和经理开放")
        with pytest.raises(Exception):  # noqa: B017 - closed by the server (1008)
            ws.recv(timeout=5)
    with connect(running.url.replace("http://", "ws://") + "/ws/dashboard?token=nope", open_timeout=10) as ws:
        assert _json(ws)["error"]["code"] == "auth-invalid-token"


def test_a_page_of_another_origin_is_refused(running: _App) -> None:
    with running.socket("PAD-DG", origin="http://evil.example") as ws:
        assert _json(ws)["error"]["code"] == "ws-origin-forbidden"


def test_each_site_sees_its_own(running: _App) -> None:
    with running.socket("PAD-DG") as dg, running.socket("PAD-01") as fz:
        dg_snap, fz_snap = _json(dg), _json(fz)
        assert dg_snap["type"] == fz_snap["type"] == "snapshot"
        assert dg_snap["site"] == "DG" and dg_snap["worker_name"] == "赵主管" and dg_snap["may_approve"]
        assert sorted(a["serial"] for a in dg_snap["agvs"]) == ["AGV-01", "AGV-02"]
        assert "LB" in dg_snap["map"]["nodes"] and dg_snap["names"]["items"]["CS-1001"] == ["曲轴", "crankshaft"]
        assert set(dg_snap["names"]["workers"]) == {"W01", "W02", "W03"}
        assert fz_snap["site"] == "FZ" and fz_snap["agvs"] == [] and fz_snap["map"] is None
        assert set(fz_snap["names"]["workers"]) == {"W11", "W12"} and "LINE-B" not in fz_snap["names"]["locations"]
        assert dg_snap["low_stock"] == fz_snap["low_stock"] == [] and dg_snap["alerts"] == []

        # One call publishes into a site's feed (from any thread): the alerts' hook does the same.
        low = LowStockOut(item="CS-1001", item_name="曲轴", item_name_en="crankshaft", unit="pcs", available=15,
                          minimum=20)
        running.app.state.services.feed.publish("DG", StockEventOut(low_stock=[low]))
        assert _next(dg, "stock")["low_stock"][0]["item"] == "CS-1001"

        # A photo turn at DG (a label read without the dialogue engine), its photo kept (keep_media_days=7).
        photo = label_png("6931234500070", zxingcpp.BarcodeFormat.EAN13)
        with httpx.Client(base_url=running.url, timeout=60, trust_env=False) as client:
            done = client.post("/api/v1/turns", files={"image": ("label.png", photo, "image/png")},
                               headers=running.headers("HMD-01"))
            assert done.status_code == 200, done.text
            turn = _next(dg, "turn")["turn"]
            assert turn["id"] == done.json()["turn_id"] and turn["device"] == "HMD-01"
            assert turn["input_kind"] == "image" and turn["media_path"] and turn["channel"] == "api"
            media = client.get(f"/api/v1/turns/{turn['id']}/media", headers=running.headers("PAD-DG"))
            assert media.status_code == 200 and media.content == photo
            assert media.headers["content-type"] == "image/png"
            other_site = client.get(f"/api/v1/turns/{turn['id']}/media", headers=running.headers("PAD-01"))
            assert other_site.status_code == 404 and other_site.json()["error"]["code"] == "turn-not-found"
            operator = client.get(f"/api/v1/turns/{turn['id']}/media", headers=running.headers("HMD-02"))
            assert operator.status_code == 403
            unknown = client.get("/api/v1/documents/TR-999999/turns", headers=running.headers("PAD-DG"))
            assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "document-not-found"
            page = client.get("/dashboard")
            assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
            assert 'id="documents"' in page.text and 'id="turns"' in page.text

        # FZ heard of none of it: its next message is what FZ itself gets.
        running.app.state.services.feed.publish("FZ", StockEventOut(low_stock=[]))
        assert _json(fz) == {"type": "stock", "low_stock": []}


def test_an_alert_published_through_the_hook_reaches_its_site_only(running: _App) -> None:
    """`services.dashboard.alert_target()` is a `CallbackTarget` for the alert service; its callback, `on_alert`,
    puts the alert on its site's dashboards at once (the alert store is read too, every 2 s, for alerts opened or
    closed without it)."""
    now = dt.datetime.now(dt.UTC)
    alert = Alert(id=77, status=AlertStatus.open, site="DG", site_name="东莞汽配厂",
                  site_name_en="Dongguan auto-parts plant", item="CS-1001", item_name="曲轴", item_name_en="crankshaft",
                  unit="pcs", available=Decimal(15), minimum=Decimal(20), consumption=Decimal(25), window_days=7,
                  daily_usage=Decimal("3.571"), lead_time_days=Decimal(7), order_multiple=1, suggested=Decimal(30),
                  document="TR-000001", turn_id=None, opened_at=now, closed_at=None,
                  title="库存预警：曲轴 / Low stock: crankshaft", text_zh="### 安全库存预警：曲轴", text_en="### Low",
                  markdown="…")
    target = running.app.state.services.dashboard.alert_target()
    assert target.name == "dashboard" and target.serves("DG") and target.serves("FZ")
    with running.socket("PAD-DG") as dg, running.socket("PAD-01") as fz:
        _json(dg), _json(fz)  # the snapshots
        asyncio.run(target.deliver(alert))  # from another thread and loop, as a delivery service may run
        shown = _next(dg, "alert")["alert"]
        assert shown["id"] == 77 and shown["item"] == "CS-1001" and shown["document"] == "TR-000001"
        assert shown["status"] == "open" and shown["text_zh"].startswith("### 安全库存预警")
        running.app.state.services.feed.publish("FZ", StockEventOut(low_stock=[]))
        assert _json(fz)["type"] == "stock"  # FZ's next message is its own: the alert never reached it


def test_media_not_kept_is_said(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(var_dir=tmp_path, port=port, secret="dashboard-test-secret", start_rasa=False,
                        start_agv_sim=False, rasa_url=f"http://127.0.0.1:{free_port()}")
    photo = label_png("6931234500070", zxingcpp.BarcodeFormat.EAN13)
    with serve(create_app(settings), port) as url, httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        done = client.post("/api/v1/turns", files={"image": ("label.png", photo, "image/png")},
                           headers={"Authorization": f"Bearer {issue(settings, 'HMD-01')}"})
        assert done.status_code == 200, done.text
        media = client.get(f"/api/v1/turns/{done.json()['turn_id']}/media",
                           headers={"Authorization": f"Bearer {issue(settings, 'PAD-DG')}"})
        assert media.status_code == 404 and media.json()["error"]["code"] == "turn-media-not-kept"
        assert "FRONTLINE_KEEP_MEDIA_DAYS" in media.json()["error"]["message"]


async def test_a_subscriber_that_falls_behind_starts_over() -> None:
    feed = SiteFeed(queue_size=3)
    with feed.subscribe("DG") as slow, feed.subscribe("FZ") as other:
        for _ in range(5):
            feed.publish("DG", StockEventOut(low_stock=[]))
        assert await slow.next() is None  # start over from a snapshot
        feed.publish("DG", StockEventOut(low_stock=[]))
        assert isinstance(await slow.next(), StockEventOut)
        assert feed.sites() == {"DG", "FZ"} and feed.listeners("DG") == 1
        # From another thread (a worker thread's ledger call), onto the subscriber's loop.
        thread = threading.Thread(target=feed.publish, args=("FZ", StockEventOut(low_stock=[])))
        thread.start()
        thread.join()
        assert isinstance(await asyncio.wait_for(other.next(), 5), StockEventOut)
    assert feed.sites() == set()
