"""The contract service on SQLite and on PostgreSQL: a confirmed sale at a site with a company gets exactly one signed
contract and one `contract.signed` document event (which the partner push turns into a partner event), however many
processes race for it; other sales get none; a broken certificate is retried, then given up with the reason."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.contracts.config import ContractConfig
from assistant.contracts.models import ContractRow, ContractStatus
from assistant.contracts.service import ContractService
from assistant.contracts.validate import check_contract
from assistant.ledger import models as ledger_models
from assistant.ledger.db import make_engine
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.ledger.states import Milestone
from assistant.partners import EventType, PartnerConsumer, PartnerEvent
from tests.contracts.worlds import steel_world
from tests.ledger.conftest import db_url, engine, pg_url  # noqa: F401 - fixtures shared with the ledger tests
from tests.partners.helpers import delivery_rows, partner

DAY = dt.date(2026, 11, 30)


@pytest.fixture
def steel_ledger(engine: Engine) -> Ledger:  # noqa: F811
    world = steel_world()
    load_world_into(engine, world)
    return Ledger(engine, world)


@pytest.fixture
def config(tmp_path: Path) -> ContractConfig:
    return ContractConfig(demo_dir=tmp_path / "contracts", poll_s=0.05)


def confirm_sale(ledger: Ledger, site: str = "TS", customer: str = "C101", kg: str = "20000") -> str:
    plan = ledger.plan_sales_order(site, customer, DAY, [("RB12", Decimal(kg))])
    worker, device = ("W21", "PAD-TS") if site == "TS" else ("W31", "PAD-TX")
    return ledger.confirm_sales_order(plan, device=device, worker=worker, turn_id=f"t-{site}-{kg}").id


def rows(engine: Engine) -> list[ContractRow]:  # noqa: F811
    with Session(engine) as session:
        return list(session.scalars(select(ContractRow).order_by(ContractRow.document_id)))


def signed_events(engine: Engine, document_id: str) -> list[ledger_models.DocumentEvent]:  # noqa: F811
    with Session(engine) as session:
        return list(session.scalars(select(ledger_models.DocumentEvent).where(
            ledger_models.DocumentEvent.document_id == document_id,
            ledger_models.DocumentEvent.to_status == str(Milestone.contract_signed))))


async def test_a_confirmed_sale_gets_one_signed_contract(engine: Engine, steel_ledger: Ledger,  # noqa: F811
                                                         config: ContractConfig) -> None:
    world = steel_world()
    doc = confirm_sale(steel_ledger)
    other_site = confirm_sale(steel_ledger, site="TX", customer="C201")  # no company there: no contract
    service = ContractService(engine, steel_ledger, world, config)
    assert await service.run_once() == [doc]
    assert await service.run_once() == []
    [row] = rows(engine)
    assert (row.document_id, row.number, row.status, row.attempts) == (doc, f"HT-TS-{doc}", "signed", 1)
    [event] = signed_events(engine, doc)
    assert event.from_status == "confirmed" and event.turn_id is None
    assert signed_events(engine, other_site) == []

    signed = await service.signed_pdf(doc)
    assert signed is not None and signed.sha256 == row.sha256 and signed.filename == f"HT-TS-{doc}.pdf"
    trust = (config.demo_dir / "TS.crt").read_bytes()
    assert (await asyncio.to_thread(check_contract, signed.pdf, trust)).ok
    info = await service.info(doc)
    assert info is not None and info.status is ContractStatus.signed and info.signed_at is not None
    assert await service.info(other_site) is None and await service.signed_pdf(other_site) is None

    # the partner push picks the milestone up as its own event, once
    bank = partner("bank", "http://127.0.0.1:9/hook", EventType.contract_signed)
    consumer = PartnerConsumer(engine, steel_ledger, [bank])
    assert len(consumer.consume()) == 3 and consumer.consume() == []  # two sales confirmed, one contract signed
    with Session(engine) as session:
        types = sorted(session.scalars(select(PartnerEvent.type).where(PartnerEvent.document_id == doc)))
    assert types == ["contract.signed", "sales_order.confirmed"]
    [delivery] = delivery_rows(engine)
    assert (delivery.document_id, delivery.partner) == (doc, "bank")
    with Session(engine) as session:
        body = json.loads(session.scalars(select(PartnerEvent.body).where(
            PartnerEvent.document_id == doc, PartnerEvent.type == "contract.signed")).one())
    assert body["document"]["id"] == doc and body["contract"]["number"] == f"HT-TS-{doc}"
    assert body["contract"]["sha256"] == signed.sha256


async def test_two_processes_make_one_contract(db_url: str, steel_ledger: Ledger,  # noqa: F811
                                               config: ContractConfig) -> None:
    world = steel_world()
    docs = [confirm_sale(steel_ledger, kg=kg) for kg in ("1000", "2000", "3000")]
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        services = [ContractService(e, steel_ledger, world, config) for e in engines]
        first, second = await asyncio.gather(*(s.run_once() for s in services))
        assert sorted(first + second) == docs
        assert [r.document_id for r in rows(engines[0])] == docs
        assert all(len(signed_events(engines[0], d)) == 1 for d in docs)
    finally:
        for e in engines:
            e.dispose()


def test_a_claim_taken_over_cannot_store(engine: Engine, steel_ledger: Ledger,  # noqa: F811
                                         config: ContractConfig) -> None:
    """A process whose lease ended (it hung) and was taken over stores nothing: the new holder's contract is kept."""
    doc = confirm_sale(steel_ledger)
    store = ContractService(engine, steel_ledger, steel_world(), config).store
    [hung] = store.claim(10, lease_s=0)
    [taken] = store.claim(10, lease_s=60)
    assert (hung.document_id, taken.document_id) == (doc, doc) and hung.token != taken.token
    assert store.claim(10, lease_s=60) == []  # held now
    assert not store.signed(hung, b"%PDF-hung", "0" * 64)
    assert store.signed(taken, b"%PDF-taken", "1" * 64)
    assert not store.signed(taken, b"%PDF-again", "2" * 64)
    signed = store.signed_contract(doc)
    assert signed is not None and signed.pdf == b"%PDF-taken"
    assert len(signed_events(engine, doc)) == 1


async def test_a_sale_cancelled_first_gets_none(engine: Engine, steel_ledger: Ledger,  # noqa: F811
                                                config: ContractConfig) -> None:
    doc = confirm_sale(steel_ledger)
    steel_ledger.cancel_document(doc)
    assert await ContractService(engine, steel_ledger, steel_world(), config).run_once() == []
    assert rows(engine) == []


async def test_a_broken_certificate_is_retried_then_given_up(engine: Engine, steel_ledger: Ledger,  # noqa: F811
                                                             tmp_path: Path) -> None:
    broken = tmp_path / "company.p12"
    broken.write_bytes(b"not a certificate")
    config = ContractConfig(pkcs12=broken, passphrase=SecretStr("hunter2-secret"), max_attempts=2,
                            retry_initial_s=0.01, demo_dir=tmp_path)
    doc = confirm_sale(steel_ledger)
    service = ContractService(engine, steel_ledger, steel_world(), config)
    assert await service.run_once() == []
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("pending", 1)
    await asyncio.sleep(0.05)
    assert await service.run_once() == []
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.last_error is not None and str(broken) in row.last_error and "hunter2" not in row.last_error
    assert signed_events(engine, doc) == []


async def test_a_caller_can_wait_for_the_contract(engine: Engine, steel_ledger: Ledger,  # noqa: F811
                                                  config: ContractConfig) -> None:
    service = ContractService(engine, steel_ledger, steel_world(), config.model_copy(update={"poll_s": 30.0}))
    await service.start()
    try:
        doc = await asyncio.to_thread(confirm_sale, steel_ledger)
        signed = await service.signed_pdf(doc, wait_s=30)  # asking pokes the service: no 30 s poll wait
        assert signed is not None and signed.pdf.startswith(b"%PDF")
        assert await service.signed_pdf("SO-999999", wait_s=0.3) is None
    finally:
        await service.stop()

