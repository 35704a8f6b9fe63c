"""Unknown customer names: at the head of a written order, or as the answer to "客户是谁?"."""

from __future__ import annotations

import pytest

from assistant.language.names import answered_name, head_name


@pytest.mark.parametrize(("text", "name"), [
    ("孙七", "孙七"), ("是孙七", "孙七"), ("客户是欧阳娜娜。", "欧阳娜娜"), ("他叫周八吧", "周八"),
    ("Mr Smith", "Mr Smith"), ("the customer is Anna Lee.", "Anna Lee"),
])
def test_an_answer_is_the_name(text: str, name: str) -> None:
    assert answered_name(text) == name


@pytest.mark.parametrize("text", ["", "5斤", "购铁观音", "查询库存", "2025年1月20日", "x", "a" * 60])
def test_what_is_not_a_name(text: str) -> None:
    assert answered_name(text) is None


@pytest.mark.parametrize(("text", "name"), [
    ("孙七,2025年1月20日,购铁观音2斤", "孙七"), ("周老板 2025-02-03 龙井 5斤", "周老板"),
    ("欧阳娜娜：龙井1斤", "欧阳娜娜"),
    ("购铁观音2斤", None), ("卖给张三铁观音2斤", None), ("2025年1月20日,孙七", None), ("帮我,卖铁观音2斤", None),
    ("我要 铁观音2斤", None),
])
def test_the_head_of_a_written_order(text: str, name: str | None) -> None:
    assert head_name(text) == name
