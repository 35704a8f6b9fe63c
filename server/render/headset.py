"""The reply as an AR headset shows and speaks it: a small card and a TTS text without bracketed extras."""

from __future__ import annotations

import re
import textwrap

from assistant.catalogue import has, lang_of, say
from server.schemas.turns import CardOut, HeadsetReplyOut, TurnOut

_CARD_LINE_CHARS = 22  # the glasses show 854×480: two short lines at a readable size
_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")


def _card_title(turn: TurnOut) -> str:
    did = turn.intent.utterance or turn.intent.name or ""
    return say(f"card-{did}" if has(f"card-{did}") else "card-default", turn.reply.language)


def headset_reply(turn: TurnOut) -> HeadsetReplyOut:
    en = lang_of(turn.reply.language) == "en"
    sentences = [s for s in re.split(r"(?<=[。!?！？\n])", turn.reply.text) if s.strip()]
    lines = [textwrap.shorten(s.strip(), _CARD_LINE_CHARS, placeholder="…") if en else
             (s.strip() if len(s.strip()) <= _CARD_LINE_CHARS else s.strip()[: _CARD_LINE_CHARS - 1] + "…")
             for s in sentences[:2]]
    return HeadsetReplyOut(
        text=turn.reply.text,
        tts=_PARENTHESES.sub("", turn.reply.text).replace("\n", " "),
        card=CardOut(title=_card_title(turn), lines=lines),
        awaiting=turn.awaiting,
        language=turn.reply.language,
        guidance=turn.guidance,
    )
