"""An alert's words, from the catalogue: a title, and markdown in each language (Mandarin first when both).

The markdown keeps to what both group robots render (WeCom's subset and DingTalk's): a level-3 heading, quoted lines
and bold; paragraphs are separated by blank lines, which DingTalk needs for a line break."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assistant.alerts.reorder import daily_usage
from assistant.catalogue import LANGUAGES, Lang, say
from assistant.dialogue.quantities import format_qty, item_name
from assistant.world.schema import Item, Site, World

_DAILY_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class AlertFacts:
    site: Site
    item: Item
    available: Decimal
    minimum: Decimal
    consumption: Decimal
    window_days: int
    lead_time_days: Decimal
    order_multiple: int
    suggested: Decimal
    document: str | None


def render_title(facts: AlertFacts) -> str:
    """Both languages on one line: the title a DingTalk message shows in the chat list."""
    return " / ".join(say("alert-title", lang, item=item_name(facts.item, lang)) for lang in LANGUAGES)


def render_text(world: World, facts: AlertFacts, lang: Lang) -> str:
    item = facts.item

    def qty(value: Decimal) -> str:
        return format_qty(world, item, value, lang)

    daily = daily_usage(facts.consumption, facts.window_days).quantize(_DAILY_PLACES)
    boxes = ""
    if item.box_size and facts.order_multiple == item.box_size:
        boxes = say("alert-boxes", lang, n=_plain(facts.suggested / item.box_size))
    lines = [
        say("alert-heading", lang, item=item_name(item, lang), item_code=item.code),
        say("alert-site", lang, site=facts.site.name_en if lang == "en" else facts.site.name),
        say("alert-levels", lang, available=qty(facts.available), minimum=qty(facts.minimum)),
        say("alert-consumption", lang, days=facts.window_days, consumed=qty(facts.consumption), daily=qty(daily)),
        say("alert-reorder", lang, qty=qty(facts.suggested), boxes=boxes, lead=_plain(facts.lead_time_days)),
    ]
    if facts.document:
        lines.append(say("alert-document", lang, document=facts.document))
    return "\n\n".join(lines)


def render_markdown(world: World, facts: AlertFacts) -> str:
    """Mandarin first, then English: what a group chat is sent."""
    return "\n\n".join(render_text(world, facts, lang) for lang in LANGUAGES)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
