"""What the assistant says in a conversation: questions, read-backs, outcomes, answers and small talk."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # asking for what a command still lacks
    "ask-item-transfer": ("调拨什么物料?", "Which item should I transfer?"),
    "ask-item-sale": ("买什么茶?", "Which item is being sold?"),
    "ask-item-stock": ("查询哪个物料的库存?", "Stock of which item?"),
    "ask-amount-transfer": ("调拨{item}多少?", "How many {item}?"),
    "ask-amount-sale": ("{item}要多少?", "How much {item}?"),
    "ask-destination": ("调到哪里?", "Where to?"),
    "ask-customer": ("客户是谁?散客请说“散客”。", "Who is the customer? Say 'walk-in' for a walk-in."),
    "ask-choice": ("你说的是{choices}?", "Did you mean {choices}?"),
    # read-back and its outcome
    "read-back-transfer": ("调拨{item}{amount}到{to}，确认吗?", "Transfer {amount} {item} to {to}. Confirm?"),
    "read-back-transfer-from": ("从{source}调拨{item}{amount}到{to}，确认吗?",
                                "Transfer {amount} {item} from {source} to {to}. Confirm?"),
    "read-back-sale": ("{customer}，{date}，{item}{amount}，单价{price}，共{total}元，确认吗?",
                       "{customer}, {date}: {amount} {item} at {price}, total ¥{total}. Confirm?"),
    "lot": ("(批号{lot})", " (lot {lot})"),
    "confirmed-transfer": ("已确认，调拨单{doc}：{item}{amount}到{to}，已从{sources}预留。",
                           "Confirmed: transfer {doc}, {amount} {item} to {to}, reserved at {sources}."),
    "confirmed-sale": ("已确认，销售单{doc}：{customer} {item}{amount}，共{total}元，库存已扣减。",
                       "Confirmed: sales order {doc}, {customer}, {amount} {item}, total ¥{total}; stock deducted."),
    "low-stock": ("注意：{item}库存{available}，低于安全库存{minimum}。",
                  "Note: {item} is down to {available}, below the safety level of {minimum}."),
    "ask-cancel-transfer": ("要取消刚才的调拨单{doc}({item}{amount}到{to})吗?",
                            "Cancel transfer {doc} you just confirmed ({amount} {item} to {to})?"),
    "transfer-cancelled": ("已取消调拨单{doc}，预留的库存已释放。",
                           "Transfer {doc} is cancelled; its reservation is released."),
    "cancel-refused": ("调拨单{doc}不能取消了：货物已在小车上或已送达。",
                       "Transfer {doc} can no longer be cancelled: the goods are on the AGV or delivered."),
    "cancelled": ("好的，已取消，什么都没有写入。", "OK, cancelled; nothing was written."),
    "nothing-to-cancel": ("好的。", "OK."),
    "nothing-to-confirm": ("现在没有需要确认的操作。", "There is nothing waiting for confirmation."),
    # bad input: say what is wrong, write nothing
    "unknown-item": ("没有找到物料“{text}”。", "No item called '{text}'."),
    "unknown-item-suggest": ("没有找到物料“{text}”，是不是{suggestions}?",
                             "No item called '{text}'. Did you mean {suggestions}?"),
    "unknown-location": ("没有找到库位“{text}”。", "No location called '{text}'."),
    "unknown-customer": ("没有找到客户“{text}”。", "No customer called '{text}'."),
    "offer-new-customer": ("没有找到客户“{text}”。要登记为新客户吗?说“是”登记，或说出已有客户的名字。",
                           "No customer called '{text}'. Register them as a new customer? Say yes, or name an "
                           "existing customer."),
    "offer-new-customer-or": ("没有找到客户“{text}”，最接近的是{suggestions}。要登记“{text}”为新客户吗?"
                              "说“是”登记，或说出客户的名字。",
                              "No customer called '{text}'; the closest is {suggestions}. Register '{text}' as a "
                              "new customer? Say yes, or say the customer's name."),
    "new-customer": ("{name}(新客户)", "{name} (new customer)"),
    "location-other-site": ("{location}属于{site}，不在本场地，不能调拨到那里。",
                            "{location} belongs to {site}, not this site; it cannot be used here."),
    "same-location": ("来源和目的地相同，不需要调拨。", "Source and destination are the same; nothing to move."),
    "insufficient-stock": ("{item}可用库存只有{available}，不够{requested}，没有预留任何库存。",
                           "Only {available} of {item} available, not enough for {requested}; nothing reserved."),
    "unit-mismatch": ("{item}不能用“{unit}”计量。", "{item} cannot be counted in '{unit}'."),
    "bad-amount": ("没听懂数量“{text}”，请说一个数量，比如“5件”。",
                   "I did not get the amount '{text}'; say a number such as 'five'."),
    "date-invalid": ("没看懂日期“{text}”。", "I could not read the date '{text}'."),
    "not-allowed": ("这个操作需要{role}权限。", "This needs the {role} role."),
    "command-failed": ("操作没有完成：{reason}。什么都没有写入。",
                       "That did not go through: {reason}. Nothing was written."),
    # stock query
    "stock-line": ("{location} {available}", "{location} {available}"),
    "stock-summary": ("{item}库存：{lines}；可用合计{total}。", "{item} stock: {lines}; {total} available in all."),
    "stock-none": ("{item}在{site}没有库存。", "There is no {item} at {site}."),
    # AGV
    "agv-not-ready": ("收到：派小车到{to}。单独派空车还不支持，请用调拨指令让小车搬运物料。",
                      "Understood: an AGV to {to}. Sending an empty AGV is not supported yet; "
                      "ask for a transfer and an AGV will carry it."),
    "agv-sent": ("已派{agv}取货(路线{metres}米)。", "{agv} is on its way to pick up ({metres} m route)."),
    "agv-waiting": ("暂无可用小车，调拨单排队等待。", "No AGV is free; the transfer is waiting for one."),
    "agv-not-sent": ("小车无法执行这次调拨({reason})，调拨单已确认，请人工搬运。",
                     "No AGV can do this transfer ({reason}); it is confirmed, please move it by hand."),
    "ask-agv-destination": ("小车派到哪里?", "Where should the AGV go?"),
    # speech
    "not-heard": ("没听清，请再说一遍。", "Sorry, I didn't catch that; please say it again."),
    "not-heard-confirm": ("没听清。要执行刚才复述的操作，请说“确认”；不要就说“取消”。",
                          "Sorry, I didn't catch that. Say 'yes' to go ahead with what I read back, or 'cancel'."),
    # images
    "image-empty": ("图片里没有找到文字或条码，请重拍。", "I found no text or code in the image; please retake it."),
    "scan-result": ("扫描到：{found}。要做什么?", "Scanned: {found}. What should I do with it?"),
    "scan-unknown": ("条码“{text}”没有对应的物料或库位。", "The code '{text}' matches no item or location."),
    "scan-unknown-suggest": ("条码“{text}”没有对应的物料或库位，最接近的是{suggestions}。",
                             "The code '{text}' matches nothing; the closest items are {suggestions}."),
    "check-fields": ("请核对：{fields}(识别把握不大)。", "Please check: {fields} (not read with confidence)."),
    "field-or": ("{field}(也可能是{alternatives})", "{field} (or {alternatives}?)"),
    # small talk
    "greet": ("你好!可以说“调拨5件曲轴到总装线B区”或“查询铁观音库存”。",
              "Hello! Try 'transfer five crankshafts to line B' or 'stock of Tieguanyin'."),
    "help": ("我可以：调拨物料(“调拨5件曲轴到总装线B区”)，开销售单(“张三买两斤铁观音”)，"
             "查库存(“连杆还有多少”)，派小车(“派一台小车到二号月台”)。改变库存前都会先复述请你确认。",
             "I can transfer stock ('transfer five crankshafts to line B'), create sales orders, check stock "
             "('how many connecting rods') and send AGVs. I read every stock change back before doing it."),
    "out-of-scope": ("这个我帮不上忙。我能调拨物料、开销售单、查库存、派小车。",
                     "I can't help with that. I can transfer stock, create sales orders, check stock and send AGVs."),
    "fallback": ("没听懂，请换个说法，或说“帮助”。", "Sorry, I did not understand. Say 'help' for examples."),
}
