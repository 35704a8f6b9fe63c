"""Contracts in the running app (no dialogue engine): a sale confirmed at a site with a company is signed in the
background; its document names the contract and the PDF is served to the site's sellers only, validated here with
the demo certificate; before and without one the answers say why, in the caller's language."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from assistant.contracts.validate import check_contract
from server.app import create_app
from server.services import Services
from server.settings import Settings
from tests.contracts.worlds import write_world
from tests.support import free_port, issue, serve


def test_contract_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    p12 = tmp_path / "company.p12"
    p12.write_bytes(b"x")
    monkeypatch.setenv("FRONTLINE_CONTRACTS__PKCS12", str(p12))
    monkeypatch.setenv("FRONTLINE_CONTRACTS__PASSPHRASE", "s3cret-passphrase")
    settings = Settings(var_dir=tmp_path)
    config = settings.contract_config()
    assert config.pkcs12 == p12 and config.demo_dir == tmp_path / "contracts"
    assert "s3cret-passphrase" not in repr(settings) and config.passphrase is not None
    monkeypatch.setenv("FRONTLINE_CONTRACTS__PKCS12", str(tmp_path / "none.p12"))
    with pytest.raises(ValueError, match="no such file"):
        Settings(var_dir=tmp_path)


def test_the_contract_of_a_sale_in_the_app(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("contracts-app")
    port = free_port()
    settings = Settings(var_dir=folder / "var", port=port, secret="contracts-test-secret", start_rasa=False,
                        start_agv_sim=False, rasa_url=f"http://127.0.0.1:{free_port()}",
                        world_path=write_world(folder))
    app = create_app(settings)
    with serve(app, port) as url:
        services: Services = app.state.services
        assert services.contracts is not None

        def get(path: str, device: str) -> httpx.Response:
            headers = {"Authorization": f"Bearer {issue(settings, device)}"}
            return httpx.get(f"{url}/api/v1/documents/{path}", headers=headers, timeout=30)

        plan = services.ledger.plan_sales_order("TS", "C101", dt.date(2026, 12, 31), [("RB12", Decimal(20000))])
        doc = services.ledger.confirm_sales_order(plan, device="PAD-TS", worker="W21", turn_id="t-contract").id
        early = get(f"{doc}/contract.pdf", "PAD-TS")  # asked at once: being made (or, on a fast box, made)
        if early.status_code == 404:
            assert early.json()["error"]["code"] == "contract-not-ready" and early.headers["retry-after"] == "2"
            assert early.json()["error"]["message_zh"] == f"单据{doc}的购销合同正在生成和签章，请几秒后再试。"

        services.contracts.poke_threadsafe()
        deadline = time.monotonic() + 60
        while (shown := get(doc, "PAD-TS").json())["contract"] is None:
            assert time.monotonic() < deadline, shown
            time.sleep(0.2)
        contract = shown["contract"]
        assert contract["number"] == f"HT-TS-{doc}" and contract["url"] == f"/api/v1/documents/{doc}/contract.pdf"

        pdf = get(f"{doc}/contract.pdf", "PAD-TS")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == f'attachment; filename="HT-TS-{doc}.pdf"'
        assert hashlib.sha256(pdf.content).hexdigest() == contract["sha256"]
        trust = (settings.var_dir / "contracts" / "TS.crt").read_bytes()
        assert check_contract(pdf.content, trust).ok

        operator = get(f"{doc}/contract.pdf", "PAD-TS2")  # the yard's operator does not sell
        assert operator.status_code == 403 and operator.json()["error"]["code"] == "contract-not-permitted"
        other_site = get(f"{doc}/contract.pdf", "PAD-TX")  # another site's manager: no such document
        assert other_site.status_code == 404 and other_site.json()["error"]["code"] == "document-not-found"
        assert get(doc, "PAD-TX").status_code == 404

        # a sale at the site without a company has no contract, and says so
        plan = services.ledger.plan_sales_order("TX", "C201", dt.date(2026, 12, 31), [("RB12", Decimal(1000))])
        bare = services.ledger.confirm_sales_order(plan, device="PAD-TX", worker="W31", turn_id="t-bare").id
        assert get(bare, "PAD-TX").json()["contract"] is None
        none = get(f"{bare}/contract.pdf", "PAD-TX")
        assert none.status_code == 404 and none.json()["error"]["code"] == "contract-none"
        assert json.loads(none.content)["error"]["message_en"].startswith(f"Document {bare} has no sales contract")
        assert get("SO-999999/contract.pdf", "PAD-TS").json()["error"]["code"] == "document-not-found"
        assert httpx.get(f"{url}/api/v1/documents/{doc}/contract.pdf", timeout=30).status_code == 401
