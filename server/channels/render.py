"""A turn as a chat shows it: the reply's words, the draft of a read-back laid out as markdown, the documents the
turn wrote, and the confirm/cancel buttons (typed "确认"/"取消" work as well). Built from the same `TurnOut` the
API returns, so a chat and a tablet can never show different drafts."""

from __future__ import annotations

import base64

from assistant.catalogue import lang_of, say
from server.channels.messages import ChatButton, ChatReply
from server.render.headset import headset_reply
from server.schemas.documents import DraftOut
from server.schemas.turns import TurnOut


def _draft_lines(draft: DraftOut, lang: str) -> list[str]:
    rows: list[str] = []
    if draft.customer is not None:
        rows.append(f"- {say('field-customer', lang)}: {draft.customer.name}")
    if draft.date:
        rows.append(f"- {say('field-date', lang)}: {draft.date}")
    for line in draft.lines:
        rows.append(f"- {say('field-item', lang)}: {line.item_name}")
        rows.append(f"- {say('field-amount', lang)}: {line.qty_text}")
        if line.from_location:
            rows.append(f"- {say('field-source', lang)}: {line.from_location}")
        if line.to_location:
            rows.append(f"- {say('field-destination', lang)}: {line.to_location}")
    if draft.total is not None:
        rows.append(f"- {say('ui-total', lang)}: ¥{draft.total:.2f}")
    return rows


def chat_reply(turn: TurnOut) -> ChatReply:
    lang = lang_of(turn.reply.language)
    title = headset_reply(turn).card.title
    parts = [f"**{title}**", turn.reply.text]
    if turn.draft is not None:
        parts.append(f"**{say('chat-draft-title', lang)}** `{turn.draft.id[:8]}`\n" + "\n".join(
            _draft_lines(turn.draft, lang)))
    ids = tuple(d.id for d in turn.documents)
    if ids:
        parts.append(f"{say('chat-documents', lang)}: " + ", ".join(f"`{i}`" for i in ids))
    buttons = tuple(ChatButton(action=a.id, label=a.label) for a in turn.actions)
    if buttons and turn.awaiting == "confirmation":
        parts.append(f"> {say('chat-confirm-hint', lang)}")
    png = turn.guidance.png_base64 if turn.guidance is not None else None
    markdown = "\n\n".join(p for p in parts if p)
    plain = "\n\n".join(p for p in parts[1:] if p).replace("**", "").replace("`", "").replace("> ", "")
    return ChatReply(title=title, text=turn.reply.text, markdown=markdown, plain=plain, language=lang,
                     buttons=buttons, draft_id=turn.draft.id if turn.draft is not None else None, documents=ids,
                     image_png=base64.b64decode(png) if png else None)


def words_reply(code: str, lang: str, **values: object) -> ChatReply:
    """A reply that is only words from the catalogue (not registered, unsupported message, an error)."""
    text = say(code, lang, **values)
    return ChatReply(title=say("card-default", lang), text=text, markdown=text, language=lang_of(lang))
