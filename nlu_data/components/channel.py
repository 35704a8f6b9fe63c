"""The app's own input channel: the only way a message reaches the dialogue.

Two calls, both authenticated with the secret the app and Rasa share (header `X-Frontline-Secret`, from
`${FRONTLINE_RASA_CHANNEL_SECRET}` in credentials.yml):

* `POST /webhooks/frontline/parse` `{"text"}` → Rasa's NLU parse (intent, ranking, the spans it tagged). The app
  reads the message once with its master data (the entities the dialogue then sees) from this.
* `POST /webhooks/frontline/webhook` `{"sender", "message", "metadata", "parse_data"}` → `{"messages",
  "tracker"}`: the message handled with the app's parse data (Rasa does not parse it again), and the
  conversation state right after it, both taken under the conversation's lock — so a second message from the
  same device cannot slip its intent, slots or buttons into this one's answer.
* `GET /webhooks/frontline/status`: whether a model is loaded (the app's health check).
* `GET /webhooks/frontline/conversation/{sender}`: the conversation's size and state; `POST …/reset`: start it
  afresh (a demo reset, a test).

Rasa runs without its HTTP API (`--enable-api` is not given): this channel is the only way in.
"""

# Rasa compares the typing.List / Dict / Optional annotations of its components: keep them.
# ruff: noqa: UP006, UP035, UP045
from __future__ import annotations

import hmac
import inspect
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import Restarted
from rasa.shared.core.trackers import EventVerbosity
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

SECRET_HEADER = "X-Frontline-Secret"


class FrontlineInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "frontline"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls(str((credentials or {}).get("secret") or ""))

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the frontline channel needs a secret of 16 or more characters "
                             "(FRONTLINE_RASA_CHANNEL_SECRET)")
        self.secret = secret

    def _allowed(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("frontline_webhook", inspect.getmodule(self).__name__)  # type: ignore[union-attr]

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/status", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            agent = request.app.ctx.agent
            ready = bool(agent and agent.is_ready())
            return response.json({"ready": ready, "model_file": agent.processor.model_filename if ready else None,
                                  "model_id": agent.model_id if ready else None})

        @webhook.route("/conversation/<sender>", methods=["GET"])
        async def conversation(request: Request, sender: str) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            tracker = await request.app.ctx.agent.processor.get_tracker(sender)
            return response.json({"events": len(tracker.events),
                                  "state": tracker.current_state(EventVerbosity.NONE)})

        @webhook.route("/conversation/<sender>/reset", methods=["POST"])
        async def reset(request: Request, sender: str) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(sender):
                tracker = await agent.processor.get_tracker(sender)
                tracker.update(Restarted())
                await agent.processor.save_tracker(tracker)
            return response.json({"reset": sender})

        @webhook.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            text = str((request.json or {}).get("text") or "")
            parsed = await request.app.ctx.agent.parse_message(text)
            return response.json(parsed)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            body = request.json or {}
            sender = str(body.get("sender") or "")
            if not sender:
                return response.json({"error": "sender missing"}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(str(body.get("message") or ""), collector, sender, input_channel=self.name(),
                                  metadata=body.get("metadata"), parse_data=body.get("parse_data"))
            agent = request.app.ctx.agent
            # Rasa's own /conversations endpoints hold the same lock around processor calls.
            async with agent.lock_store.lock(sender):
                await agent.processor.handle_message(message)
                tracker = await agent.processor.get_tracker(sender)
                state = tracker.current_state(EventVerbosity.NONE)
            return response.json({"messages": collector.messages, "tracker": state})

        return webhook
