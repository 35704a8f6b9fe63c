"""Names the vocabulary does not know yet: a new customer written at the head of an order slip, or given
as the answer to "客户是谁?"."""

from __future__ import annotations

import re
import unicodedata

# Words that are not names: order verbs, fillers, what a person says around a name.
_NOT_NAMES = ("购", "买", "卖", "销售", "调拨", "客户", "订单", "库存", "查询", "今天", "昨天", "明天",
              "我", "帮", "请", "要", "这个", "那个")
_ANSWER_LEAD = re.compile(r"^(?:客户(?:是|叫|名字是)?|(?:他|她)?(?:是|叫)|名字是|the customer is|customer is|"
                          r"it'?s|it is|name is|for)\s*", re.IGNORECASE)
_ANSWER_TAIL = re.compile(r"(?:吧|呀|啊|的|先生|女士)?[\s。.!！,，]*$")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·]{2,8}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z .'-]{1,38}[A-Za-z.]")
_HEAD = re.compile(r"^\s*([\u3400-\u9fff]{2,4})\s*[,，、:：\s]")


def _plausible(name: str) -> bool:
    if any(word in name for word in _NOT_NAMES):
        return False
    return bool(_CJK_NAME.fullmatch(name) or _LATIN_NAME.fullmatch(name))


def answered_name(text: str) -> str | None:
    """The name in an answer to the customer question: "是孙七" → 孙七, "Mr Smith." → Mr Smith."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = _ANSWER_TAIL.sub("", _ANSWER_LEAD.sub("", s)).strip()
    return s if s and not re.search(r"\d", s) and _plausible(s) else None


def head_name(text: str) -> str | None:
    """The name an order slip starts with, before the first separator: "孙七,2025年1月20日,购铁观音2斤"."""
    m = _HEAD.match(unicodedata.normalize("NFKC", text))
    return m.group(1) if m and _plausible(m.group(1)) else None
