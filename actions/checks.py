"""Slot checks shared by the form validators: words → codes, with a clear word when they don't fit.

Each returns the slot updates; on a problem it tells the person through the dispatcher and clears the slot,
so the form asks again and nothing is written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.deps import ActionDeps, TurnMeta
from assistant.access import sells_to
from assistant.catalogue import join_choices, say
from assistant.dialogue.quantities import format_qty, item_name
from assistant.language.dates import date_readings, parse_date
from assistant.language.names import answered_name
from assistant.language.numbers import normalise
from assistant.language.quantities import UnitMismatch, parse_amount, to_base
from assistant.language.resolve import Ambiguous, InOtherSite, Match, NotFound

DEICTIC = frozenset({"这个", "这些", "这", "它", "这件", "这种", "this", "these", "it", "this one"})


def single(value: Any) -> Any:
    """One value for a slot: a message naming two things of one kind fills a list; the last one said wins."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _choice_names(deps: ActionDeps, kind: str, codes: tuple[str, ...], lang: str) -> str:
    if kind == "item":
        names = [item_name(deps.world.item(c), lang) for c in codes]
    else:
        names = [deps.world.location(c)[1].name if lang != "en" else c for c in codes]
    return join_choices(names, lang)


def item_code(deps: ActionDeps, value: Any) -> str | None:
    """The item a slot names: a code already checked, or words that resolve to exactly one item."""
    if not value:
        return None
    text = str(value)
    if any(i.code == text for i in deps.world.items):
        return text
    resolution = deps.resolver.item(text)
    return resolution.code if isinstance(resolution, Match) else None


def check_item(deps: ActionDeps, value: Any, dispatcher: CollectingDispatcher, meta: TurnMeta) -> dict[str, Any]:
    scanned = meta.scanned("item")
    if scanned and str(value).strip().lower() in DEICTIC:
        return {"item": scanned, "choices": None}
    code = item_code(deps, value)
    if code:
        return {"item": code, "choices": None}
    resolution = deps.resolver.item(str(value))
    if isinstance(resolution, Ambiguous):
        return {"item": None, "choices": list(resolution.codes)}
    if isinstance(resolution, NotFound) and resolution.suggestions:
        names = join_choices([item_name(deps.world.item(c), meta.lang) for c in resolution.suggestions], meta.lang)
        dispatcher.utter_message(text=say("unknown-item-suggest", meta.lang, text=value, suggestions=names))
    else:
        dispatcher.utter_message(text=say("unknown-item", meta.lang, text=value))
    return {"item": None}


async def check_amount(
    deps: ActionDeps, value: Any, tracker: Tracker, dispatcher: CollectingDispatcher, meta: TurnMeta
) -> dict[str, Any]:
    """Parse the amount; once the item is known, convert to base units and check it is available."""
    amount = parse_amount(str(value)) if value else None
    if amount is None or amount.number <= 0:
        dispatcher.utter_message(text=say("bad-amount", meta.lang, text=value))
        return {"amount": None, "qty_base": None}
    code = item_code(deps, tracker.get_slot("item"))
    if code is None:
        return {"amount": str(value), "qty_base": None}  # checked again at read-back, when the item is known
    item = deps.world.item(code)
    try:
        base = to_base(deps.world, item, amount)
    except UnitMismatch:
        dispatcher.utter_message(text=say("unit-mismatch", meta.lang, item=item_name(item, meta.lang),
                                          unit=amount.unit_word or ""))
        return {"amount": None, "qty_base": None}
    available: Decimal = await deps.in_thread(deps.ledger.available_total, meta.site, code)
    if base.qty_base > available:
        dispatcher.utter_message(text=say(
            "insufficient-stock", meta.lang, item=item_name(item, meta.lang),
            available=format_qty(deps.world, item, available, meta.lang),
            requested=format_qty(deps.world, item, base.qty_base, meta.lang)))
        return {"amount": None, "qty_base": None}
    return {"amount": str(value), "qty_base": float(base.qty_base)}


def _location_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """Location spans of the latest message, one per span (two extractors may report the same one)."""
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "location" and "start" in entity:
            seen.setdefault((entity["start"], entity["end"]), entity)
    return [seen[k] for k in sorted(seen)]


def split_source(tracker: Tracker) -> tuple[str | None, str | None]:
    """(source, destination) of the latest message, as its reading marked them (role "source")."""
    source = destination = None
    for entity in _location_entities(tracker):
        if entity.get("role") == "source":
            source = str(entity["value"])
        else:
            destination = str(entity["value"])
    return source, destination


def resolve_location(
    deps: ActionDeps, value: Any, dispatcher: CollectingDispatcher, meta: TurnMeta, choices: list[str] | None
) -> tuple[str | None, list[str] | None]:
    """(location code, new choices). Tells the person when the place is unknown or at another site."""
    text = str(value)
    site_codes = {loc.code for loc in deps.world.site(meta.site).locations}
    if text in site_codes:
        return text, None
    if choices:
        picked = [c for c in choices if deps.resolver.location(text, meta.site) == Match(c)
                  or any(text.lower() in n.lower() for n in deps.world.location(c)[1].names)]
        if len(picked) == 1:
            return picked[0], None
    resolution = deps.resolver.location(text, meta.site)
    if isinstance(resolution, Match):
        return resolution.code, None
    if isinstance(resolution, Ambiguous):
        return None, list(resolution.codes)
    if isinstance(resolution, InOtherSite):
        site = deps.world.site(resolution.site)
        location = deps.world.location(resolution.code)[1]
        dispatcher.utter_message(text=say("location-other-site", meta.lang,
                                          location=location.name if meta.lang != "en" else location.code,
                                          site=site.name_en if meta.lang == "en" else site.name))
        return None, None
    dispatcher.utter_message(text=say("unknown-location", meta.lang, text=text))
    return None, None


def check_customer(deps: ActionDeps, value: Any, dispatcher: CollectingDispatcher, meta: TurnMeta
                   ) -> dict[str, Any]:
    """A known customer's code (one this site sells to); an unknown but plausible name is kept in `new_customer`,
    for the question (action_ask_customer) whether to register it. A customer's contact orders for their own
    customer only."""
    text = str(value)
    code = text if any(c.code == text for c in deps.world.customers) else None
    resolution = deps.resolver.customer(text) if code is None else Match(text)
    if isinstance(resolution, Match):
        return _customer_here(deps, resolution.code, dispatcher, meta)
    if meta.customer is not None:
        return _customer_here(deps, meta.customer, dispatcher, meta)  # their own, whatever else was said
    if isinstance(resolution, Ambiguous):
        names = join_choices([next(c.name for c in deps.world.customers if c.code == code)
                              for code in resolution.codes], meta.lang)
        dispatcher.utter_message(text=say("ask-choice", meta.lang, choices=names))
        return {"customer": None}
    name = answered_name(text)
    if name is not None:
        return {"customer": None, "new_customer": name}
    dispatcher.utter_message(text=say("unknown-customer", meta.lang, text=text))
    return {"customer": None, "new_customer": None}


def _customer_here(deps: ActionDeps, code: str, dispatcher: CollectingDispatcher, meta: TurnMeta) -> dict[str, Any]:
    own = meta.customer
    if own is not None and code != own:
        name = customer_name(deps, own)
        dispatcher.utter_message(text=say("contact-own-customer", meta.lang, customer=name))
        return {"customer": own}
    other_site = sells_to(deps.world, meta.site, code)
    if other_site is not None:
        site = deps.world.site(other_site)
        dispatcher.utter_message(text=say("customer-other-site", meta.lang, customer=customer_name(deps, code),
                                          site=site.name_en if meta.lang == "en" else site.name))
        return {"customer": None}
    return {"customer": code}


def customer_name(deps: ActionDeps, code: str) -> str:
    customer = deps.world.customer(code)
    return customer.name if customer is not None else code


def choice_question(deps: ActionDeps, kind: str, codes: list[str], lang: str) -> str:
    return say("ask-choice", lang, choices=_choice_names(deps, kind, tuple(codes), lang))


def check_order_date(deps: ActionDeps, value: Any, unclear: list[str] | None) -> dict[str, Any]:
    """An order date as the slot holds it: an ISO date from the reading or a reading the person accepted, or
    what was written when it read as no date — then kept aside with its readings, for the form to ask."""
    if value is None:  # the likeliest reading declined: asked again without it
        written, *readings = unclear or [""]
        return {"order_date": None, "unclear_date": [written, *readings[1:]] if unclear else None}
    text = str(value)
    parsed = parse_date(text, deps.today())
    if parsed is not None:
        return {"order_date": parsed.isoformat(), "unclear_date": None}
    readings = [d.isoformat() for d in date_readings(normalise(text), deps.today())]
    return {"order_date": None, "unclear_date": [text, *readings]}
