"""Everything a running app holds, built once from the settings when the app starts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine

from actions.deps import ActionDeps
from actions.registry import build_executor
from assistant.auth import instance_secret
from assistant.config import Settings
from assistant.language.resolve import Resolver
from assistant.language.vocabulary import Vocabulary
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import is_seeded, load_world_into
from assistant.ledger.service import Ledger
from assistant.pipeline.rasa_client import RasaClient
from assistant.pipeline.render import document_json
from assistant.pipeline.turn import TurnPipeline
from assistant.world.loader import load_world
from assistant.world.schema import World
from speech import SpeechService, SpeechSettings
from vision import VisionService


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

    async def aclose(self) -> None:
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


async def build_services(settings: Settings, rasa_transport: httpx.AsyncBaseTransport | None = None) -> Services:
    world = load_world(settings.world_path)
    engine, ledger = await asyncio.to_thread(_prepare_database, settings, world)
    vocabulary = Vocabulary.from_world(world)
    deps = ActionDeps(world=world, ledger=ledger, vocabulary=vocabulary, resolver=Resolver(world, vocabulary),
                      timezone=settings.timezone)
    http = httpx.AsyncClient(base_url=settings.rasa_url, timeout=settings.rasa_timeout_s, transport=rasa_transport)
    rasa = RasaClient(http)

    async def documents_for_turn(turn_id: str) -> list[dict[str, Any]]:
        documents = await asyncio.to_thread(ledger.documents_for_turn, turn_id)
        return [document_json(d) for d in documents]

    vision = VisionService(world, settings.models_dir / "ocr", variant=settings.ocr_variant, vocabulary=vocabulary)
    await vision.start()  # ~1 s: load once at start, not on the first photo
    speech = SpeechService(SpeechSettings(whisper_dir=settings.models_dir / "whisper-base"), vocabulary)
    await speech.warm_up()  # Whisper loads in a worker thread; the first command must not wait for it
    return Services(
        vision=vision,
        speech=speech,
        settings=settings, world=world, engine=engine, ledger=ledger, actions=build_executor(deps), rasa=rasa,
        http=http, pipeline=TurnPipeline(rasa, documents_for_turn, settings.max_text_chars),
        token_key=instance_secret(settings),
    )
