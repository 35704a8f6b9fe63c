"""The clause template: the shipped one loads and fills in; a broken one is refused when loaded, naming the file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from assistant.contracts.build import build_contract
from assistant.contracts.template import DEFAULT_TEMPLATE, ClauseTemplate, TemplateError
from tests.contracts.worlds import BUYER, COMPANY, sale, steel_world


def test_the_shipped_template_fills_every_clause() -> None:
    contract = build_contract(steel_world(), sale(), dt.date(2026, 11, 30))
    clauses = ClauseTemplate.load().render(contract)
    headings = [c.heading for c in clauses]
    assert headings[0] == "第一条 标的、数量及价款" and "第七条 争议解决" in headings
    text = "\n".join(p for c in clauses for p in c.paragraphs)
    assert "98,010.00" in text and "玖万捌仟零壹拾元整" in text
    assert "GB/T 1499.2" in text
    assert "2026年12月31日" in text and "佛山市禅城区季华路1号工地" in text  # delivery date and place
    assert "广东省佛山市顺德区乐从镇钢铁世界1号" in text  # disputes go to the seller's place
    assert "$" not in text and "# " not in text  # placeholders filled, notes to the editor left out
    assert COMPANY not in text and BUYER not in text  # parties are in the layout, not in the clauses


@pytest.mark.parametrize(("body", "why"), [
    ("## 第一条\n付款给 $sellr。\n", "unknown placeholders sellr"),
    ("## 第一条\n价格 $ 100。\n", "a '$' that is not a placeholder"),
    ("## 第一条\n${__class__}\n", "unknown placeholders __class__"),
    ("只有正文，没有条款。\n", "no clause"),
])
def test_a_broken_template_is_refused_when_loaded(tmp_path: Path, body: str, why: str) -> None:
    path = tmp_path / "mine.md"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError, match=re.escape(why)) as caught:
        ClauseTemplate.load(path)
    assert str(path) in str(caught.value)


def test_a_missing_template_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="cannot be read"):
        ClauseTemplate.load(tmp_path / "none.md")


def test_an_edited_template_is_used(tmp_path: Path) -> None:
    path = tmp_path / "mine.md"
    path.write_text(DEFAULT_TEMPLATE.read_text(encoding="utf-8") + "\n## 第九条 附加\n合计 $$ $total。\n",
                    encoding="utf-8")
    contract = build_contract(steel_world(), sale(), dt.date(2026, 11, 30))
    last = ClauseTemplate.load(path).render(contract)[-1]
    assert last.heading == "第九条 附加" and last.paragraphs == ("合计 $ 98,010.00。",)
