"""The vouchers over HTTP without the dialogue engine: a sale confirmed in the running app shows its vouchers to its
site's manager, not to a clerk (in words) nor to another site; the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from server.app import create_app
from server.services import Services
from server.settings import Settings
from tests.ledger.helpers import d
from tests.support import free_port, issue, serve


class _App:
    def __init__(self, app: FastAPI, url: str, settings: Settings) -> None:
        self.app, self.url, self.settings = app, url, settings

    def get(self, path: str, device: str, **params: str) -> httpx.Response:
        token = issue(self.settings, device)
        return httpx.get(self.url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_App]:
    port = free_port()
    settings = Settings(var_dir=tmp_path_factory.mktemp("vouchers"), port=port, secret="vouchers-test-secret",
                        start_rasa=False, start_agv_sim=False, rasa_url=f"http://127.0.0.1:{free_port()}")
    app = create_app(settings)
    with serve(app, port) as url:
        yield _App(app, url, settings)


def test_vouchers_of_a_document_and_the_export(running: _App) -> None:
    ledger = running.services.ledger
    day = dt.date(2026, 11, 30)
    plan = ledger.plan_sales_order("FZ", "C003", day, [("TEA-LJ", d(500))])
    doc = ledger.confirm_sales_order(plan, device="PAD-02", worker="W12", turn_id="t-api").id

    response = running.get("/api/v1/vouchers", "PAD-01", document=doc)  # the shop's manager
    assert response.status_code == 200
    sale, delivery = response.json()
    assert (sale["number"], sale["event"], sale["debit"], sale["credit"]) == ("记-0001", "sale", "260.00", "260.00")
    assert [(ln["account"], ln["account_name"], ln["debit"], ln["credit"]) for ln in sale["lines"]] == [
        ("1122", "应收账款", "260.00", "0.00"), ("6001", "主营业务收入", "0.00", "230.09"),
        ("22210102", "应交税费—应交增值税(销项税额)", "0.00", "29.91")]
    assert (delivery["number"], delivery["debit"]) == ("记-0002", "150.00")  # 500 g at 0.30

    refused = running.get("/api/v1/vouchers", "PAD-02", document=doc)  # a clerk
    assert refused.status_code == 403
    assert refused.json()["error"]["message_zh"] == "只有本场地的主管或经理能查看凭证。"
    assert running.get("/api/v1/vouchers", "PAD-DG", document=doc).json() == []  # another site's supervisor

    export = running.get("/api/v1/vouchers.csv", "PAD-01", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方", "贷方"]
    assert rows[1] == ["2026-11-30", "记-0001", f"销售 {doc} 王五", "1122", "应收账款", "260.00", ""]
    assert len(rows) == 6
    empty = running.get("/api/v1/vouchers.csv", "PAD-01", **{"from": "2026-12-01"})
    assert empty.content.decode("utf-8-sig").splitlines() == ["日期,凭证字号,摘要,科目编码,科目名称,借方,贷方"]
