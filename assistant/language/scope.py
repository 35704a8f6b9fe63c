"""What makes a message a command: a command names something of the domain (an item, a place, a customer, an
amount, a document), or at least says the command's own verb ("调拨", "查库存"). "帮我订一张去北京的机票" does
neither, whatever the intent classifier thought of its 去."""

from __future__ import annotations

import re

from assistant.language.extract import Mentions

# The verbs and nouns that name each command by itself, without any of its fields ("我要调拨", "查一下库存").
_COMMAND_WORDS: dict[str, str] = {
    "transfer_stock": r"调拨|调货|调料|移库|移到|搬|挪|补货|送料|送货|转移|transfer|move|relocate|bring",
    "create_sales_order": r"开.?单|下单|销售|(?<!外)卖|买(?!单)|购|售|出货|sell|sale|buy|purchase",
    "check_stock": r"库存|存货|还有多少|还剩|剩多少|盘点|stock|inventory|how many|how much|left",
    "dispatch_agv": r"agv|小车|叉车|搬运车|运输车|robot|vehicle|cart|forklift",
}
_PATTERNS = {intent: re.compile(words, re.IGNORECASE) for intent, words in _COMMAND_WORDS.items()}
COMMAND_INTENTS = frozenset(_COMMAND_WORDS)


def names_domain(mentions: Mentions, documents: int = 0) -> bool:
    """Whether the message names anything the assistant works with."""
    return documents > 0 or any(x is not None for x in (
        mentions.item, mentions.amount, mentions.destination, mentions.source, mentions.customer))


def out_of_scope(intent: str | None, text: str, mentions: Mentions, documents: int = 0) -> bool:
    """A command intent whose message names nothing of the domain and does not say the command's word."""
    if intent not in COMMAND_INTENTS or names_domain(mentions, documents):
        return False
    return _PATTERNS[intent].search(text) is None
