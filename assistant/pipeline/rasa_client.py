"""HTTP client for the Rasa server: one message in, bot messages and the conversation state out."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from assistant.pipeline.errors import TurnError


@dataclass(frozen=True)
class DialogueState:
    """What a turn needs of the Rasa tracker after the message was handled."""

    intent: str | None
    confidence: float
    entities: list[dict[str, Any]]
    slots: dict[str, Any]
    active_loop: str | None
    requested_slot: str | None


@dataclass(frozen=True)
class DialogueResult:
    messages: list[dict[str, Any]]
    state: DialogueState
    extra: dict[str, Any] = field(default_factory=dict)


def _unavailable(exc: Exception) -> TurnError:
    return TurnError(
        code="nlu-unavailable",
        stage="nlu",
        status=503,
        message_zh="对话引擎(Rasa)暂时不可用，请稍后再试。什么都没有写入。",
        message_en="The dialogue engine (Rasa) is not available right now; nothing was written.",
        details={"service": "rasa", "reason": type(exc).__name__},
    )


class RasaClient:
    """Talks to `rasa run --enable-api` on loopback through one shared connection pool."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> DialogueResult:
        try:
            started = time.perf_counter()
            response = await self._http.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata}
            )
            response.raise_for_status()
            messages = response.json()
            dialogue_ms = (time.perf_counter() - started) * 1000
            tracker = await self._http.get(
                f"/conversations/{sender}/tracker", params={"include_events": "NONE"}
            )
            tracker.raise_for_status()
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            raise _unavailable(exc) from exc
        state_ms = (time.perf_counter() - started) * 1000 - dialogue_ms
        return DialogueResult(messages=list(messages or []), state=_state(tracker.json()),
                              extra={"rasa_dialogue_ms": round(dialogue_ms, 1), "rasa_state_ms": round(state_ms, 1)})

    async def status(self) -> dict[str, Any] | None:
        """Rasa's /status (with the loaded model), or None while it is not answering."""
        try:
            response = await self._http.get("/status", timeout=2.0)
            response.raise_for_status()
        except httpx.HTTPError:
            return None
        body: dict[str, Any] = response.json()
        return body


def _state(tracker: dict[str, Any]) -> DialogueState:
    latest = tracker.get("latest_message") or {}
    intent = latest.get("intent") or {}
    slots = dict(tracker.get("slots") or {})
    loop = (tracker.get("active_loop") or {}).get("name")
    return DialogueState(
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=list(latest.get("entities") or []),
        slots=slots,
        active_loop=loop,
        requested_slot=slots.get("requested_slot") if loop else None,
    )
