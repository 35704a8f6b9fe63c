"""One message, read once. The words (typed, transcribed or read off a photo) and the spans the NLU model tagged
go in; every item, place, customer, amount and date the message names comes out, with its span and what it
resolves to. The dialogue gets exactly these as the message's entities (its slots are filled from them, nothing
reads the words again) and the reply shows them as the message's fields.

    reader = MessageReader(master, today=settings.today)
    reading = reader.read("调拨5件曲轴到总装线B区", site="DG", intent="transfer_stock")
    reading.entities()      # → [{"entity": "item", "value": "CS-1001", "start": 4, "end": 6, …}, …]
    reader.fields(reading, CharConfidence.sure(reading.text))
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from typing_extensions import TypedDict  # pydantic reads TypedDicts from here on Python 3.11

from assistant.language.extract import Mentions, NameMention, Tagged, extract_mentions
from assistant.language.fields import CharConfidence, FieldReading, read_fields
from assistant.language.names import head_name
from assistant.language.numbers import ZH_NUMERAL_CHARS, parse_number
from assistant.language.resolve import Ambiguous, InOtherSite, Match, NotFound, Resolution, Resolver
from assistant.language.vocabulary import Vocabulary

EXTRACTOR = "frontline"  # how the dialogue engine sees where these entities came from
# A document's number as people say or type it: "TR-000123", "tr 123", "调拨单123" (a transfer), "SO-000007", and
# as spoken: "调拨单一百二十三", "调拨单零零零一二三".
_DOCUMENT = re.compile(rf"(?i)(?<![a-z])(?:(tr|so)[\s-]*|(调拨单|销售单)\s*)"
                       rf"(\d{{1,6}}(?!\d)|[{ZH_NUMERAL_CHARS}]{{1,12}})")
_DOCUMENT_PREFIX = {"tr": "TR", "so": "SO", "调拨单": "TR", "销售单": "SO"}


class Entity(TypedDict, total=False):
    """An entity as the dialogue engine takes it (Rasa's parse data): `value` is the code of a name that
    resolved, else the words; an ISO date; an amount as said."""

    entity: str
    value: str
    start: int
    end: int
    text: str
    role: str
    resolution: str  # match | ambiguous | not-found | other-site | read (amounts, dates) | unclear (a date)
    extractor: str
    confidence_entity: float


class MasterDataNow(Protocol):
    """The names of this moment (`assistant.world.master_data.MasterData`): a registered customer joins them."""

    @property
    def vocabulary(self) -> Vocabulary: ...

    @property
    def resolver(self) -> Resolver: ...


@dataclass(frozen=True, slots=True)
class DocumentMention:
    number: str  # "TR-000123"
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    mentions: Mentions
    vocabulary: Vocabulary  # the names it was read with (the same ones back its fields' alternatives)
    resolver: Resolver
    documents: tuple[DocumentMention, ...] = ()

    def entities(self) -> list[Entity]:
        """One entity per slot the message can fill: the item, the amount, the destination and the source, the
        customer, the date (a message naming two items fills the slot with the one the reading chose)."""
        m = self.mentions
        out: list[Entity] = []
        if m.item is not None:
            out.append(_name("item", m.item))
        if m.amount is not None:
            out.append(_entity("amount", m.amount.text, m.amount.text, m.amount.start, m.amount.end, "read"))
        if m.destination is not None:
            out.append(_name("location", m.destination))
        if m.source is not None:
            out.append({**_name("location", m.source), "role": "source"})
        if m.customer is not None:
            out.append(_name("customer", m.customer))
        if m.date is not None:
            # A date that read as none goes to the dialogue as written, which asks for it.
            value, how = (m.date.value.isoformat(), "read") if m.date.value else (m.date.text, "unclear")
            out.append(_entity("date", value, m.date.text, m.date.start, m.date.end, how))
        if m.delivery is not None:
            out.append(_entity("delivery_date", m.delivery.value.isoformat(), m.delivery.text, m.delivery.start,
                               m.delivery.end, "read"))
        if m.place is not None:
            out.append(_entity("delivery_place", m.place.text, m.place.text, m.place.start, m.place.end, "read"))
        out += [_entity("document", d.number, d.text, d.start, d.end, "read") for d in self.documents]
        return sorted(out, key=lambda e: e["start"])


class MessageReader:
    """Reads messages with the names of this moment. `refresh` brings them up to date (customers registered or
    gone since, by another process or a demo reset); it is blocking database work, run before each reading."""

    def __init__(self, master: MasterDataNow, today: Callable[[], date],
                 refresh: Callable[[], None] | None = None) -> None:
        self._master = master
        self._today = today
        self._refresh = refresh

    def refresh(self) -> None:
        if self._refresh is not None:
            self._refresh()

    def read(self, text: str, *, site: str | None, intent: str | None = None,
             tagged: Sequence[Tagged] = ()) -> Reading:
        vocabulary, resolver = self._master.vocabulary, self._master.resolver
        mentions = extract_mentions(text, vocabulary, resolver, site, self._today(), tuple(tagged))
        if intent == "create_sales_order" and mentions.customer is None:
            mentions = _with_new_customer(text, mentions, resolver)
        return Reading(text, mentions, vocabulary, resolver, _documents(text))

    def fields(self, reading: Reading, chars: CharConfidence) -> tuple[FieldReading, ...]:
        return read_fields(reading.mentions, chars, reading.vocabulary, reading.resolver, self._today())


def _with_new_customer(text: str, mentions: Mentions, resolver: Resolver) -> Mentions:
    """An order slip starts with its customer: a name nobody knows yet there ("孙七,2025年1月20日,购…") is the
    customer to offer for registration, unless the slip starts with the item."""
    name = head_name(text)
    if name is None or not isinstance(resolver.item(name), NotFound):
        return mentions
    start = text.find(name)
    mention = NameMention(name, start, start + len(name), resolver.customer(name))
    return dataclasses.replace(mentions, customer=mention)


def _documents(text: str) -> tuple[DocumentMention, ...]:
    found = []
    for m in _DOCUMENT.finditer(text):
        prefix = _DOCUMENT_PREFIX[(m.group(1) or m.group(2)).lower()]
        number = parse_number(m.group(3))
        if number is None or number != int(number) or not 0 < number < 1_000_000:
            continue
        found.append(DocumentMention(f"{prefix}-{int(number):06d}", m.group(0), m.start(), m.end()))
    return tuple(found)


def _resolution(resolution: Resolution) -> str:
    if isinstance(resolution, Match):
        return "match"
    if isinstance(resolution, Ambiguous):
        return "ambiguous"
    if isinstance(resolution, InOtherSite):
        return "other-site"
    return "not-found"


def _name(kind: str, mention: NameMention) -> Entity:
    value = mention.resolution.code if isinstance(mention.resolution, Match) else mention.text
    return _entity(kind, value, mention.text, mention.start, mention.end, _resolution(mention.resolution))


def _entity(kind: str, value: str, text: str, start: int, end: int, resolution: str) -> Entity:
    return Entity(entity=kind, value=value, text=text, start=start, end=end, resolution=resolution,
                  extractor=EXTRACTOR, confidence_entity=1.0)
