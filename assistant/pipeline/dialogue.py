"""The dialogue engine (Rasa) as the pipeline sees it, through the app's own input channel
(`nlu_data/components/channel.py`): parse a message, then hand it over with the entities the app read, and get
the bot's messages and the conversation state of that same exchange back.

Several Rasa servers (scaled): each conversation goes to one of them by rendezvous hashing of its sender, so while
they are all up one device's turns meet on one server, and adding or losing a server moves only the conversations
it had. A server that refuses the connection (the request never reached it) is skipped for the next in that
conversation's order. Correctness does not rest on this: the servers share the tracker store, and their Redis lock
store orders one conversation's messages whichever server takes them."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, JsonValue

from assistant.language.extract import Tagged
from assistant.language.reading import Entity
from assistant.pipeline.errors import TurnError

log = structlog.get_logger(__name__)

CHANNEL = "/webhooks/frontline"
SECRET_HEADER = "X-Frontline-Secret"


class BotMessage(BaseModel):
    """One message of the bot: words, and/or a structured payload (a stock answer's lines)."""

    text: str | None = None
    custom: dict[str, JsonValue] | None = None


@dataclass(frozen=True)
class Parse:
    """What the NLU model made of the words: the intent and the spans it tagged (hints for the reading)."""

    text: str
    intent: str | None
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    tagged: tuple[Tagged, ...] = ()

    def data(self, entities: Sequence[Entity]) -> dict[str, Any]:
        """Rasa's parse data for this message, with the app's entities instead of the model's."""
        return {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": self.confidence},
            "intent_ranking": [{"name": name, "confidence": c} for name, c in self.ranking],
            "entities": [dict(e) for e in entities],
        }


@dataclass(frozen=True)
class DialogueState:
    """What a turn needs of the conversation right after its message was handled."""

    slots: dict[str, JsonValue]
    active_loop: str | None
    requested_slot: str | None


@dataclass(frozen=True)
class Exchange:
    messages: tuple[BotMessage, ...]
    state: DialogueState
    timings_ms: dict[str, float] = field(default_factory=dict)


def _unavailable(exc: Exception) -> TurnError:
    return TurnError("nlu-unavailable", "nlu", {"service": "rasa", "reason": type(exc).__name__})


def servers_for(sender: str, servers: Sequence[str]) -> list[str]:
    """The servers in the order `sender`'s conversation tries them (rendezvous hashing: stable per sender, and a
    server added or gone moves only its own share)."""
    if len(servers) < 2:
        return list(servers)
    return sorted(servers, key=lambda s: hashlib.sha256(f"{s}|{sender}".encode()).digest(), reverse=True)


class DialogueClient:
    """Talks to `rasa run` through one shared connection pool; every call carries the secret. `servers`: the Rasa
    base URLs (several when scaled); none: the pool's own base URL."""

    def __init__(self, http: httpx.AsyncClient, secret: str, servers: Sequence[str] = ()) -> None:
        self._http = http
        self._headers = {SECRET_HEADER: secret}
        self._servers = tuple(s.rstrip("/") for s in servers) or ("",)  # "": relative to the pool's base URL

    async def parse(self, text: str, sender: str = "") -> Parse:
        """The NLU's reading of `text` (no conversation changes); `sender` only picks the server."""
        body = await self._post(f"{CHANNEL}/parse", {"text": text}, sender)
        intent = body.get("intent") or {}
        ranking = tuple((str(r.get("name")), float(r.get("confidence") or 0.0))
                        for r in body.get("intent_ranking") or [])
        tagged = tuple(Tagged(str(e["entity"]), int(e["start"]), int(e["end"]))
                       for e in body.get("entities") or [] if "start" in e and "end" in e)
        return Parse(text, intent.get("name"), float(intent.get("confidence") or 0.0), ranking, tagged)

    async def exchange(self, sender: str, text: str, parse_data: dict[str, Any],
                       metadata: dict[str, JsonValue]) -> Exchange:
        started = time.perf_counter()
        body = await self._post(f"{CHANNEL}/webhook", {"sender": sender, "message": text, "metadata": metadata,
                                                       "parse_data": parse_data}, sender)
        messages = tuple(BotMessage(text=m.get("text"), custom=m.get("custom")) for m in body.get("messages") or [])
        return Exchange(messages, _state(body.get("tracker") or {}),
                        {"rasa_dialogue_ms": round((time.perf_counter() - started) * 1000, 1)})

    async def state(self, sender: str) -> DialogueState | None:
        """The conversation's state now (what it waits for), or None when Rasa does not answer."""
        for server in servers_for(sender, self._servers):
            try:
                response = await self._http.get(f"{server}{CHANNEL}/conversation/{sender}", headers=self._headers,
                                                timeout=2.0)
                response.raise_for_status()
            except httpx.ConnectError:
                continue
            except httpx.HTTPError:
                return None
            return _state(dict(response.json().get("state") or {}))
        return None

    async def status(self) -> dict[str, Any] | None:
        """Whether Rasa has a model loaded (the channel's status; scaled: the first server that has), or None while
        none is answering."""
        answered: dict[str, Any] | None = None
        for server in self._servers:
            try:
                response = await self._http.get(f"{server}{CHANNEL}/status", headers=self._headers, timeout=2.0)
                response.raise_for_status()
            except httpx.HTTPError:
                continue
            answered = response.json()
            if answered and answered.get("model_file"):
                return answered
        return answered

    async def _post(self, path: str, payload: dict[str, Any], sender: str) -> dict[str, Any]:
        order = servers_for(sender, self._servers)
        for tried, server in enumerate(order, start=1):
            try:
                response = await self._http.post(f"{server}{path}", json=payload, headers=self._headers)
                response.raise_for_status()
            except httpx.ConnectError as exc:  # never reached that server: the next one may take it
                if tried == len(order):
                    raise _unavailable(exc) from exc
                log.warning("rasa-server-unreachable", server=server, next=order[tried])
                continue
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:  # it may have been handled: not sent again
                raise _unavailable(exc) from exc
            body: dict[str, Any] = response.json()
            return body
        raise AssertionError("no Rasa server configured")


def _state(tracker: dict[str, Any]) -> DialogueState:
    slots = dict(tracker.get("slots") or {})
    loop = (tracker.get("active_loop") or {}).get("name")
    return DialogueState(slots=slots, active_loop=loop, requested_slot=slots.get("requested_slot") if loop else None)
