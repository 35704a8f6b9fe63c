"""The steel trader (site FS): tonnes, sizes, customers with credit and chat contacts, its own company."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from assistant.access import check_intent, sells_to
from assistant.language.quantities import Amount, to_base
from assistant.language.resolve import Ambiguous, Match, Resolver
from assistant.language.vocabulary import Vocabulary
from assistant.ledger.pricing import price_of
from assistant.nlu.build import vocabulary_yaml
from assistant.world.schema import Contact, Customer, Worker, World

REBAR = ("RB400-12", "RB400-16", "RB400-20")


def test_site_items_and_people(world: World) -> None:
    assert world.site("FS").name == "佛山钢贸"
    assert {loc.code for loc in world.site("FS").locations} == {"FS-YARD", "FS-WH"}
    assert [world.item(c).spec_size for c in REBAR] == [Decimal(12), Decimal(16), Decimal(20)]
    clerk = world.worker_for_device("PAD-FS")
    assert clerk is not None and (clerk.code, clerk.role, clerk.site) == ("W21", "clerk", "FS")
    company = world.company("FS")
    assert company is not None and company.name.endswith("钢铁贸易有限公司") and len(company.tax_id) == 18
    hongda = world.customer("C101")
    assert hongda is not None and hongda.site == "FS" and hongda.credit_limit == Decimal(200000)
    assert hongda.company == "佛山市宏达建工有限公司" and hongda.address
    assert all(world.customer(c) is not None for c in ("C102", "C103"))
    # The shop's customers keep no site: sold to from anywhere, as before.
    assert all(c.site is None for c in world.customers if c.code < "C100")


def test_tonnes_convert_to_kilograms_and_price_per_tonne(world: World) -> None:
    rebar = world.item("RB400-16")
    twenty = to_base(world, rebar, Amount(Decimal(20), "吨"))
    assert (twenty.qty_base, twenty.unit_code, twenty.display_zh) == (Decimal(20000), "kg", "20吨（20000公斤）")
    assert to_base(world, rebar, Amount(Decimal(3), "tonnes")).qty_base == Decimal(3000)
    assert to_base(world, rebar, Amount(Decimal(2), None)).qty_base == Decimal(2000)  # a bare number: tonnes
    assert price_of(world, rebar, Decimal(20000)) == Decimal("77200.00")  # 20 t × 3860


def test_vocabulary_knows_the_steel_names(vocabulary: Vocabulary, resolver: Resolver) -> None:
    tables = vocabulary.lookup_tables()
    assert {"螺纹钢", "三级螺纹", "热轧卷板", "热卷", "高线", "盘圆", "线材"} <= set(tables["item"])
    assert {"宏达建工", "顺安路桥"} <= set(tables["customer"])
    assert "螺纹钢" in vocabulary.jieba_dictionary()
    assert "- 热卷" in vocabulary_yaml(vocabulary)  # the Rasa lookup tables are built from the same names
    assert resolver.item("螺纹钢") == Ambiguous(REBAR)  # the size is asked, never defaulted
    assert resolver.item("螺纹钢HRB400 Φ16") == Match("RB400-16")
    assert resolver.item("盘圆") == Match("WR-HPB300")
    assert resolver.item_of_size(REBAR, Decimal(16)) == "RB400-16"
    assert resolver.item_of_size(REBAR, Decimal(18)) is None


def test_chat_users_are_workers_or_customer_contacts(world: World) -> None:
    worker = world.chat_user("wecom", "W21")
    assert isinstance(worker, Worker) and worker.code == "W21"
    contact = world.chat_user("wecom", "hongda-zhou")
    assert isinstance(contact, tuple) and contact[0].code == "C101" and contact[1].name == "周建国"
    assert world.chat_user("wecom", "nobody") is None


def test_contacts_may_only_order_at_their_customers_site(world: World) -> None:
    assert check_intent(world, None, "create_sales_order", customer="C101") is None
    refused = check_intent(world, None, "transfer_stock", customer="C101")
    assert refused is not None and refused.reason == "contact"
    assert check_intent(world, None, "check_stock", customer="C101") is not None
    assert check_intent(world, None, "approve_transfer", customer="C101") is not None
    assert check_intent(world, None, "create_sales_order", ["DG"], customer="C101") is not None
    assert sells_to(world, "FZ", "C101") == "FS" and sells_to(world, "FS", "C101") is None
    assert sells_to(world, "FS", "C001") is None  # a shop's customer buys anywhere


def test_a_chat_id_names_one_person(world: World) -> None:
    twin = Customer(code="C199", name="重名", site="FS",
                    contacts=(Contact(name="某人", wecom_user="hongda-zhou"),))
    with pytest.raises(ValidationError, match="names two people"):
        World.model_validate({**world.model_dump(), "customers": [*world.model_dump()["customers"],
                                                                   twin.model_dump()]})
