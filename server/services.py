"""Everything a running app holds, built once from the settings when the app starts."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine

from actions.deps import ActionDeps
from actions.registry import build_executor
from assistant.dialogue.draft import draft_json
from assistant.dialogue.progress import notice
from assistant.fleet import FleetConfig, FleetEvent, FleetService
from assistant.ledger.db import make_engine
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import is_seeded, load_world_into
from assistant.ledger.service import Ledger
from assistant.pipeline.guidance import guidance_for
from assistant.pipeline.rasa_client import RasaClient
from assistant.pipeline.render import agv_order_json, document_json
from assistant.pipeline.turn import TurnContext, TurnPipeline, TurnResult
from assistant.routing import Router
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from server.push import DevicePush
from server.settings import Settings
from speech import SpeechService
from vision import VisionService

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    world: World
    engine: Engine
    ledger: Ledger
    actions: ActionExecutor
    rasa: RasaClient
    http: httpx.AsyncClient
    pipeline: TurnPipeline
    token_key: bytes
    vision: VisionService
    speech: SpeechService
    fleet: FleetService
    router: Router
    push: DevicePush

    async def aclose(self) -> None:
        await self.fleet.stop()
        await self.http.aclose()
        self.engine.dispose()


def _prepare_database(settings: Settings, world: World) -> tuple[Engine, Ledger]:
    """Migrate, and load the world on first start (an empty ledger)."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    upgrade(url)
    engine = make_engine(url)
    if not is_seeded(engine):
        load_world_into(engine, world)
    return engine, Ledger(engine, world)


def _fleet_listener(world: World, ledger: Ledger, push: DevicePush) -> Any:
    async def on_event(event: FleetEvent) -> None:
        requester = site = None
        if event.doc_id:
            try:
                document = await asyncio.to_thread(ledger.document, event.doc_id)
                requester, site = document.device, document.site
            except DocumentNotFound:
                return
        said = notice(world, event, requester, site)
        if said is None:
            return
        for device in said.devices:
            worker = world.worker_for_device(device)
            english = worker is not None and worker.language == "en"
            await push.push(device, {"event": said.kind, "doc_id": said.doc_id,
                                     "text": said.text_en if english else said.text_zh,
                                     "text_zh": said.text_zh, "text_en": said.text_en,
                                     "agv": event.model_dump(mode="json")})
    return on_event


async def build_services(settings: Settings, rasa_transport: httpx.AsyncBaseTransport | None = None) -> Services:
    world = load_world(settings.world_path)
    engine, ledger = await asyncio.to_thread(_prepare_database, settings, world)
    master = await asyncio.to_thread(MasterData, world)  # names and their pinyin: ~0.2 s, off the event loop
    master.set_registered(await asyncio.to_thread(ledger.registered_customers))  # registered in earlier runs
    vocabulary = master.vocabulary
    router = Router(world)
    push = DevicePush()
    fleet = FleetService(engine, world, ledger, settings.mqtt_url or None, _fleet_listener(world, ledger, push),
                         embedded_port=settings.embedded_mqtt_port,
                         config=FleetConfig(**settings.fleet.model_dump(),
                                            # unique per process: two masters with one client id on a broker
                                            # would disconnect each other in turn
                                            client_id=f"frontline-master-{uuid.uuid4().hex[:10]}"),
                         router=router)
    await fleet.start()
    deps = ActionDeps(master=master, ledger=ledger, timezone=settings.timezone, fleet=fleet)
    http = httpx.AsyncClient(base_url=settings.rasa_url, timeout=settings.rasa_timeout_s, transport=rasa_transport)
    rasa = RasaClient(http)

    async def documents_for_turn(turn_id: str) -> list[dict[str, Any]]:
        documents = await asyncio.to_thread(ledger.documents_for_turn, turn_id)
        shown = [document_json(d) for d in documents]
        for document in documents:  # the AGV order a confirmed transfer got, linked to it
            order = fleet.order(document.id) if document.type == "transfer" else None
            if order is not None:
                shown.append(agv_order_json(order))
        return shown

    def guide(ctx: TurnContext, turn: TurnResult) -> dict[str, Any] | None:
        return guidance_for(world, router, fleet, ctx, turn, pipeline.scans.last_location(ctx.device))

    pipeline = TurnPipeline(rasa, documents_for_turn, settings.max_text_chars, guide,
                            draft_of=lambda proposal, lang: draft_json(master.world, proposal, lang))
    vision = VisionService(master.world, settings.models_dir / "ocr", settings=settings.vision,
                           vocabulary=vocabulary)
    await vision.start()  # ~1 s: load once at start, not on the first photo
    speech = SpeechService(settings.effective_speech, vocabulary)
    await speech.warm_up()  # Whisper loads in a worker thread; the first command must not wait for it
    master.on_change(vision.use_vocabulary)
    master.on_change(lambda _world, vocabulary_now: speech.use_vocabulary(vocabulary_now))
    return Services(
        settings=settings, world=world, engine=engine, ledger=ledger, actions=build_executor(deps), rasa=rasa,
        http=http, pipeline=pipeline,
        token_key=settings.token_key(), vision=vision, speech=speech, fleet=fleet, router=router, push=push,
    )
