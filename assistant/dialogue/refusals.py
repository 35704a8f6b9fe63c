"""A refused command said to the person, in words that say why (never a code): their role, their site, and the
site the command reached into."""

from __future__ import annotations

from assistant.access import Refusal, check_intent
from assistant.catalogue import lang_of, say
from assistant.language.reading import Reading
from assistant.language.resolve import InOtherSite
from assistant.pipeline.results import TurnContext
from assistant.world.schema import World


def _site_name(world: World, code: str | None, lang: str) -> str:
    site = next((s for s in world.sites if s.code == code), None)
    if site is None:
        return code or ""
    return site.name_en if lang_of(lang) == "en" and site.name_en else site.name


def refusal_text(world: World, refusal: Refusal, device_kind: str, lang: str, place: str | None = None) -> str:
    """`place` names the location that lies in the other site, when the command named one."""
    action = say(f"permission-{refusal.permission.value}", lang)
    if refusal.reason == "no-worker":
        return say("refused-no-worker", lang, action=action)
    if refusal.reason == "contact" or (refusal.customer is not None and refusal.reason == "other-site"):
        buyer = world.customer(refusal.customer or "")
        return say("refused-contact", lang, customer=buyer.name if buyer else "", action=action)
    device = say(f"device-{device_kind}", lang) if device_kind in ("ar_headset", "tablet", "chat") else device_kind
    site = _site_name(world, refusal.site, lang)
    if refusal.reason == "other-site":
        key = "refused-other-site-place" if place else "refused-other-site"
        return say(key, lang, place=place or "", device=device, site=site, action=action,
                   other_site=_site_name(world, refusal.other_site, lang))
    role = say(f"role-{refusal.role.value}", lang) if refusal.role is not None else ""
    return say("refused-role", lang, device=device, site=site, role=role, action=action)


def refuse_if_not_permitted(world: World, ctx: TurnContext, intent: str | None, reading: Reading, lang: str
                            ) -> str | None:
    """The pipeline's guard: the words of a refusal when the worker may not give this command here, else None."""
    elsewhere = [m.resolution for m in reading.mentions.locations if isinstance(m.resolution, InOtherSite)]
    refusal = check_intent(world, ctx.worker, intent, [r.site for r in elsewhere], customer=ctx.customer)
    if refusal is None:
        return None
    place = next((world.location(r.code)[1].name for r in elsewhere if r.site == refusal.other_site), None)
    return refusal_text(world, refusal, ctx.device_kind, lang, place)
