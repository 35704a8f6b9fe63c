"""Master data of the moment: customers registered in conversation join the names, and leave them on a reset."""

from __future__ import annotations

from assistant.language.resolve import Match, NotFound
from assistant.language.vocabulary import Vocabulary
from assistant.world.master_data import MasterData
from assistant.world.schema import Customer, World


def test_registered_customers_are_known_by_name_and_listeners_hear_of_it(world: World) -> None:
    master = MasterData(world)
    heard: list[Vocabulary] = []
    master.on_change(lambda _world, vocabulary: heard.append(vocabulary))
    assert isinstance(master.resolver.customer("孙七"), NotFound)

    master.add_customers([Customer(code="C011", name="孙七")])
    assert master.resolver.customer("孙七") == Match("C011")
    assert any(t.text == "孙七" for t in heard[-1].terms("customer"))
    assert master.resolver.customer("张三") == Match("C001")  # the world file's customers stay

    master.set_registered([Customer(code="C011", name="孙七")])  # nothing changed: nothing rebuilt
    assert len(heard) == 1
    master.add_customers([Customer(code="C012", name="周八")])
    assert {c.code for c in master.world.customers} >= {"C011", "C012"}

    master.set_registered([])  # the ledger was reset
    assert isinstance(master.resolver.customer("孙七"), NotFound) and len(heard) == 3
    assert master.world.customers == world.customers
