"""Safety-stock alerts: what the site's group chats, its supervisors' devices and the dashboard are told when an item
falls below its safety stock (markdown: the group robots of WeCom and DingTalk render it)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "alert-title": ("库存预警：{item}", "Low stock: {item}"),
    "alert-heading": ("### 安全库存预警：{item}（{item_code}）", "### Below safety stock: {item} ({item_code})"),
    "alert-site": ("> 场地：{site}", "> Site: {site}"),
    "alert-levels": ("> 可用库存：**{available}**，安全库存：{minimum}",
                     "> Available: **{available}**, safety stock: {minimum}"),
    "alert-consumption": ("> 近{days}天消耗：{consumed}（日均{daily}）",
                          "> Used in the last {days} days: {consumed} ({daily} a day)"),
    "alert-reorder": ("> 建议补货：**{qty}**{boxes}（按到货周期{lead}天计）",
                      "> Suggested reorder: **{qty}**{boxes} (for a lead time of {lead} days)"),
    "alert-boxes": ("，共{n}箱", ", {n} boxes"),
    "alert-document": ("> 单据：{document}", "> Document: {document}"),
}
