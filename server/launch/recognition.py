"""`frontline recognition-worker`: one process of the recognition pool. It loads the speech and OCR models once,
builds the sites' vocabularies from the same master data as the app (the world file and the customers registered
in the database), and serves the pool until SIGTERM or SIGINT, then drains (docs/scaling.md, "Recognition worker
pool")."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import structlog
from redis.asyncio import Redis
from sqlalchemy.exc import SQLAlchemyError

from assistant.ledger.db import make_engine
from assistant.ledger.service import Ledger
from assistant.recognition import RecognitionWorker
from assistant.recognition.client import open_pool
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from server.settings import Settings
from speech import SpeechService, SpeechUnavailable
from vision import ModelsMissing, VisionService

log = structlog.get_logger(__name__)


def run_worker(settings: Settings, name: str | None = None, echo: Callable[[str], None] = print) -> None:
    if not settings.recognition_url:
        raise ValueError("FRONTLINE_RECOGNITION_URL is not set: the worker serves the pool at that Redis "
                         "(redis://host:6379/0), with FRONTLINE_RECOGNITION_PREFIX as the app's")
    asyncio.run(_serve(settings, name, echo))


async def _serve(settings: Settings, name: str | None, echo: Callable[[str], None]) -> None:
    world = load_world(settings.world_path)
    engine = make_engine(settings.effective_database_url)
    ledger = Ledger(engine, world)
    master = await asyncio.to_thread(MasterData, world)

    def refresh_names() -> None:
        """The customers registered in the database, as the app knows them (called at start and on news)."""
        try:
            master.set_registered(ledger.registered_customers())
        except SQLAlchemyError as error:  # no database yet (the app migrates it): the world file's names for now
            log.warning("recognition-names-unreadable", error=type(error).__name__)

    await asyncio.to_thread(refresh_names)
    speech = SpeechService(settings.effective_speech, master.vocabulary)
    vision = VisionService(master.vocabulary, settings.models_dir / "ocr", settings=settings.vision)
    master.on_change(lambda _world, vocabulary: speech.use_vocabulary(vocabulary))
    master.on_change(lambda _world, vocabulary: vision.use_names(vocabulary))
    try:  # a model missing does not stop the worker: its jobs are answered with the reason, as the app would
        await speech.warm_up()
    except SpeechUnavailable as error:
        log.warning("stt-unavailable", detail=str(error))
    try:
        await vision.start()
    except ModelsMissing as error:
        log.warning("vision-models-missing", detail=str(error))
    pool = await open_pool(settings.recognition_url, settings.recognition_prefix, settings.recognition)
    redis: Redis = pool.redis
    worker = RecognitionWorker(redis, settings.recognition_prefix, speech, vision, settings.recognition, name=name,
                               refresh_names=refresh_names)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    pool_settings = settings.recognition
    echo(f"recognition worker {worker.name} serving {settings.recognition_prefix} "
         f"({pool_settings.sessions_per_worker} utterances, {pool_settings.jobs_per_worker} jobs at once)")
    try:
        await worker.run(stop)
    finally:
        await pool.aclose()
        engine.dispose()
