"""What the chat channels (WeCom, DingTalk) say beyond a turn's own reply: to people the box does not know, about
messages it cannot take, and around a read-back; and the safety-stock alerts sent to a site's group chats."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "chat-not-registered": ("你还没有登记为这个助手的用户，请联系你的店长或主管把你加进来。",
                            "You are not registered with this assistant yet. Please ask your manager to add you."),
    "chat-unsupported-message": ("这种消息我看不懂。可以发文字、语音，或者拍一张单据的照片。",
                                 "I can't read this kind of message. Send words, a voice message or a note's photo."),
    "chat-media-failed": ("文件没能下载下来，请再发一次。什么都没有写入。",
                          "The file could not be downloaded; please send it again. Nothing was written."),
    "chat-confirm-hint": ("回复“确认”执行，回复“取消”放弃。", "Reply “confirm” to go ahead or “cancel” to drop it."),
    "chat-draft-title": ("待确认", "To confirm"),
    "chat-documents": ("单据", "Documents"),
    "chat-working": ("收到，正在处理…", "Got it, working on it…"),
    # a confirmed sale's signed contract, to the device or chat it was confirmed from (the PDF follows in a chat)
    "notice-contract-signed": ("{doc}的购销合同{number}已签章，请查收。",
                               "The sales contract {number} of {doc} is signed: here it is."),
}
