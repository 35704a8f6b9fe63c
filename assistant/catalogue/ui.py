"""Labels: the buttons a reply offers, card titles on the glasses, field names, and the words of the screens
(served to them as `/api/v1/catalogue/ui`, so a page holds no text of its own)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # buttons of a reply (`actions`): confirm / cancel a read-back, or answer the offer to register a customer
    "button-confirm": ("确认", "Confirm"),
    "button-cancel": ("取消", "Cancel"),
    "button-register": ("登记新客户", "Register"),
    "button-not-this": ("不是", "No"),
    # the headset card's title, by what the turn did
    "card-transfer_stock": ("调拨", "Transfer"),
    "card-create_sales_order": ("销售", "Sale"),
    "card-check_stock": ("库存", "Stock"),
    "card-dispatch_agv": ("小车", "AGV"),
    "card-affirm": ("已确认", "Confirmed"),
    "card-cancel": ("已取消", "Cancelled"),
    "card-deny": ("已取消", "Cancelled"),
    "card-default": ("前线助手", "Frontline"),
    # fields of a command, as the read-back note and the draft name them
    "field-customer": ("客户", "customer"),
    "field-date": ("日期", "date"),
    "field-item": ("品名", "item"),
    "field-amount": ("数量", "amount"),
    "field-destination": ("目的地", "destination"),
    "field-source": ("来源", "source"),
    # the command line
    "cli-unknown-device": ("没有设备 {device}", "unknown device {device}"),
    # the shop tablet's screen
    "ui-title": ("前线助手", "Frontline"),
    "ui-hint-write": ("用手指写下订单，例如：张三,2025年1月20日,购铁观音2斤",
                      "Write the order with a finger, e.g. Zhang San, 2025-01-20, 2 jin Tieguanyin"),
    "ui-clear": ("清除", "Clear"),
    "ui-read": ("识别", "Read"),
    "ui-photo": ("拍照 / 图片", "Photo"),
    "ui-speak": ("🎤 说话", "🎤 Speak"),
    "ui-send": ("发送", "Send"),
    "ui-type-hint": ("或者打字：张三买两斤铁观音", "Or type: Zhang San buys 2 jin Tieguanyin"),
    "ui-draft": ("销售单草稿", "Draft order"),
    "ui-draft-transfer": ("调拨单草稿", "Draft transfer"),
    "ui-not-posted": ("(尚未入账)", "(not posted yet)"),
    "ui-customer": ("客户", "Customer"),
    "ui-date": ("日期", "Date"),
    "ui-item": ("品名", "Item"),
    "ui-amount": ("数量", "Quantity"),
    "ui-price": ("单价", "Price"),
    "ui-total": ("合计", "Total"),
    "ui-new-customer": ("新客户", "new customer"),
    "ui-maybe": ("也可能是：", "or maybe: "),
    "ui-stop": ("⏹ 说完了", "⏹ Done"),
    "ui-listening": ("正在听…", "Listening…"),
    "ui-no-mic": ("无法使用麦克风。", "The microphone is not available."),
    "ui-posted": ("已入账", "posted"),
    "ui-no-token": ("缺少设备令牌：请用 make run 打印的链接打开本页。",
                    "No device token: open this page with the link `make run` prints."),
    "ui-sending": ("识别中…", "Reading…"),
    "ui-language": ("EN", "中文"),
}
