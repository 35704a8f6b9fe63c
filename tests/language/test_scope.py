"""A command names something of the domain or says its own verb; otherwise it is out of scope."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.language.extract import extract_mentions
from assistant.language.resolve import Resolver
from assistant.language.scope import out_of_scope
from assistant.language.vocabulary import Vocabulary

TODAY = date(2026, 1, 10)


def _out(intent: str, text: str, vocabulary: Vocabulary, resolver: Resolver) -> bool:
    return out_of_scope(intent, text, extract_mentions(text, vocabulary, resolver, None, TODAY))


@pytest.mark.parametrize(("intent", "text"), [
    ("transfer_stock", "帮我订一张去北京的机票"),
    ("transfer_stock", "周末去哪里玩"),
    ("create_sales_order", "给我点一份外卖"),
    ("dispatch_agv", "send a taxi to the airport"),
    ("check_stock", "今天天气怎么样"),
])
def test_a_command_intent_on_words_of_another_world_is_out_of_scope(
        intent: str, text: str, vocabulary: Vocabulary, resolver: Resolver) -> None:
    assert _out(intent, text, vocabulary, resolver)


@pytest.mark.parametrize(("intent", "text"), [
    ("transfer_stock", "我要调拨"),                 # the verb alone: the form asks what
    ("transfer_stock", "调5件到总装线B区"),          # fields, whatever the verb
    ("create_sales_order", "开一单"),
    ("check_stock", "查一下库存"),
    ("dispatch_agv", "派一台小车过来"),
    ("transfer_stock", "move it to dock two"),
    ("greet", "帮我订机票"),                         # not a command intent: the classifier's answer stands
])
def test_a_command_that_says_its_verb_or_names_the_domain_stays(
        intent: str, text: str, vocabulary: Vocabulary, resolver: Resolver) -> None:
    assert not _out(intent, text, vocabulary, resolver)
