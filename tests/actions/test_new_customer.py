"""A customer nobody registered yet: found on the slip, offered, agreed to, read back, registered on the yes."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ask import ActionAskCustomer
from actions.commands import ActionConfirm, ActionReadBack
from actions.deps import ActionDeps
from actions.forms import ValidateSalesOrderForm
from assistant.language.reading import MessageReader
from assistant.language.resolve import Match

META = {"turn_id": "t-new", "device": "PAD-01", "site": "FZ", "worker": "W11", "lang": "zh"}


def _tracker(text: str, intent: str, *, loop: str | None = "sales_order_form", **slots: Any) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "PAD-01", "slots": {"requested_slot": None, **slots},
        "latest_message": {"text": text, "intent": {"name": intent}, "entities": [], "metadata": META},
        "events": [{"event": "active_loop", "name": "sales_order_form"},
                   *([] if loop else [{"event": "active_loop", "name": None}])],
        "paused": False, "followup_action": None, "active_loop": {"name": loop} if loop else {},
        "latest_action_name": "action_listen"})


async def test_the_name_on_the_slip_is_offered_then_registered_on_the_yes(deps: ActionDeps) -> None:
    form = ValidateSalesOrderForm(deps)
    text = "孙七,2025年1月20日,购铁观音2斤"
    # The slip's first word is read as its customer (an entity the dialogue fills the slot from) …
    reading = MessageReader(deps.master, deps.today).read(text, site="FZ", intent="create_sales_order")
    [customer] = [e for e in reading.entities() if e["entity"] == "customer"]
    assert (customer["value"], customer["resolution"]) == ("孙七", "not-found")
    slip = _tracker(text, "create_sales_order")
    assert await form.extract_customer(CollectingDispatcher(), slip, {}) == {}  # … not guessed again here
    assert await form.validate_customer("孙七", CollectingDispatcher(), slip, {}) == {
        "customer": None, "new_customer": "孙七"}

    asked = CollectingDispatcher()
    await ActionAskCustomer(deps).run(asked, _tracker("", "create_sales_order", new_customer="孙七"), {})
    assert "要登记为新客户吗" in asked.messages[0]["text"] and "孙七" in asked.messages[0]["text"]

    yes = _tracker("是", "affirm", new_customer="孙七", requested_slot="customer")
    assert await form.extract_customer(CollectingDispatcher(), yes, {}) == {"customer": "孙七"}
    assert await form.validate_customer("孙七", CollectingDispatcher(), yes, {}) == {"customer": "孙七"}
    no = _tracker("不是", "deny", new_customer="孙七", requested_slot="customer")
    assert await form.extract_customer(CollectingDispatcher(), no, {}) == {"customer": None}
    assert await form.validate_customer(None, CollectingDispatcher(), no, {}) == {"customer": None,
                                                                                  "new_customer": None}

    done = _tracker("是", "affirm", loop=None, customer="孙七", new_customer="孙七", item="TEA-TGY", amount="2斤",
                    order_date="2025年1月20日")
    said = CollectingDispatcher()
    events = await ActionReadBack(deps).run(said, done, {})
    proposal = [e["value"] for e in events if e.get("name") == "proposal"][-1]
    assert proposal["customer"] is None and proposal["new_customer"] == "孙七"
    assert said.messages[0]["text"].startswith("孙七(新客户)，2025-01-20，铁观音")
    assert deps.ledger.registered_customers() == []  # nothing written before the yes

    confirmed = CollectingDispatcher()
    await ActionConfirm(deps).run(confirmed, _tracker("确认", "affirm", loop=None, proposal=proposal), {})
    [order] = deps.ledger.documents_for_turn("t-new")
    assert order.customer is not None and (order.customer.code, order.customer.name) == ("C011", "孙七")
    assert deps.resolver.customer("孙七") == Match("C011")  # known by name from now on


async def test_the_answer_to_who_is_the_customer_may_be_a_new_name(deps: ActionDeps) -> None:
    form = ValidateSalesOrderForm(deps)
    answer = _tracker("是欧阳娜娜", "inform", requested_slot="customer")
    assert await form.extract_customer(CollectingDispatcher(), answer, {}) == {"customer": "欧阳娜娜"}
    assert (await form.validate_customer("欧阳娜娜", CollectingDispatcher(), answer, {}))["new_customer"] == "欧阳娜娜"
    known = _tracker("张三", "inform", requested_slot="customer")
    assert await form.validate_customer("张三", CollectingDispatcher(), known, {}) == {"customer": "C001"}
    stock = _tracker("查询铁观音库存", "check_stock", requested_slot="customer")
    assert await form.extract_customer(CollectingDispatcher(), stock, {}) == {}
