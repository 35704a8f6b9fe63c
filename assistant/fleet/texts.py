"""What the worker and the supervisor are told when a transfer goes back to waiting (Mandarin, English)."""

from __future__ import annotations

from assistant.fleet.models import WaitReason


def waiting_message(reason: WaitReason, doc_id: str, serial: str | None, picked: bool,
                    detail: str = "") -> tuple[str, str]:
    where_zh = f"货物在小车{serial}上，请主管到场处理。" if picked else "货物仍在原货位，库存未变动。"
    where_en = (f"The goods are on {serial}; a supervisor should check." if picked
                else "The goods are still at the source; no stock was moved.")
    if reason is WaitReason.no_agv:
        return (f"暂无可用小车，调拨单{doc_id}正在排队等待。",
                f"No AGV is available; transfer {doc_id} is waiting for one.")
    if reason is WaitReason.agv_offline:
        return (f"小车{serial}已离线，调拨单{doc_id}改为等待。{where_zh}",
                f"{serial} went offline; transfer {doc_id} is waiting again. {where_en}")
    extra_zh = f"（{detail}）" if detail else ""
    extra_en = f" ({detail})" if detail else ""
    return (f"小车{serial}报告故障{extra_zh}，调拨单{doc_id}改为等待。{where_zh}",
            f"{serial} reported an error{extra_en}; transfer {doc_id} is waiting again. {where_en}")
