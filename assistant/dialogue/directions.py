"""Walking directions in words: what the headset speaks and the route card beside the map, in one language.

The router returns `Guidance` as data (place, metres, seconds); this renders it from the catalogue's
`guidance-*` entries for the person who reads it."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.catalogue import lang_of, say
from assistant.routing import Guidance


@dataclass(frozen=True)
class Card:
    """What fits the 854×480 glasses: a title and at most two short lines."""

    title: str
    lines: tuple[str, ...]


def _eta(seconds: float, lang: str) -> str:
    # Whole seconds under a minute, whole minutes above: a walk is not timed to the second.
    if seconds < 60:
        return say("guidance-eta-seconds", lang, n=round(seconds))
    return say("guidance-eta-minutes", lang, n=round(seconds / 60))


def spoken(guidance: Guidance, lang: str) -> str:
    """请前往总装线B区，距离约25米，步行约21秒。先经过A-01。 / Walk to assembly line B, … Pass A-01 first."""
    place = guidance.location.display_name(lang)
    if guidance.arrived:
        return say("guidance-here", lang, place=place)
    sentences = [say("guidance-walk", lang, place=place, metres=round(guidance.distance_m),
                     eta=_eta(guidance.eta_s, lang))]
    if guidance.passing is not None:
        sentences.append(say("guidance-pass", lang, place=guidance.passing.display_name(lang)))
    return (" " if lang_of(lang) == "en" else "").join(sentences)  # Chinese sentences run on without spaces


def card(guidance: Guidance, lang: str) -> Card:
    """→ 总装线B区 / 25 米 · 约 21秒 (English: → assembly line B / 25 m · ~21 s)."""
    return Card(title=say("guidance-card-title", lang, place=guidance.location.display_name(lang)),
                lines=(say("guidance-card-line", lang, metres=round(guidance.distance_m),
                           eta=_eta(guidance.eta_s, lang)),))
