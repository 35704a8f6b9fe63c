"""Everything a running app holds, built once from the settings when the app starts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine

from actions.deps import ActionDeps
from actions.registry import build_executor
from assistant.access import DeviceTokens
from assistant.alerts import AlertStore
from assistant.books import Books, VoucherStore
from assistant.contracts.service import ContractService
from assistant.dialogue.approvals import ApprovalNotice, Approvals
from assistant.dialogue.refusals import refuse_if_not_permitted
from assistant.fleet import AgvOrderView, FleetConfig, FleetService
from assistant.journal import TurnJournal, TurnRecord
from assistant.language.codes import CodeMatcher
from assistant.language.reading import MessageReader, Reading
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import one_process_at_a_time, upgrade
from assistant.ledger.seed import is_seeded, load_world_into
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocType
from assistant.ledger.views import Document
from assistant.outbox import Wakeups
from assistant.partners import PartnerService, PartnerStore
from assistant.pipeline import DialogueClient, TurnContext, TurnPipeline
from assistant.pipeline.guidance import guidance_for
from assistant.pipeline.record import TurnRecorder
from assistant.routing import Guidance, Router
from assistant.state import StateConfig, StateParts, TurnRate, open_state
from assistant.world.loader import load_world
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from server.dashboard import Dashboard, fan_out
from server.feed import SiteFeed
from server.notices import approval_notifier, contract_notifier, fleet_listener
from server.push import DevicePush
from server.settings import Settings
from speech import SpeechService, SpeechUnavailable
from vision import ModelsMissing, VisionService

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    world: World
    master: MasterData  # the world of this moment: the file plus customers registered since
    engine: Engine
    ledger: Ledger
    actions: ActionExecutor
    dialogue: DialogueClient
    http: httpx.AsyncClient
    pipeline: TurnPipeline
    tokens: DeviceTokens
    action_secret: str  # what Rasa shows when it calls the action endpoint
    vision: VisionService
    speech: SpeechService
    fleet: FleetService
    router: Router
    push: DevicePush
    approvals: Approvals
    recorder: TurnRecorder  # every turn on the record
    turn_rate: TurnRate  # turns per device per second
    feed: SiteFeed  # what happens at each site, for whoever watches it (the dashboards)
    dashboard: Dashboard  # the supervisors' dashboard: snapshots, and the sources of its feed
    state: StateParts  # per-device state: in this process, or shared by every app process (Redis)
    vouchers: VoucherStore  # the vouchers confirmed sales posted (when the world has books)
    partner_log: PartnerStore  # the partner webhooks' delivery log
    wakeups: Wakeups  # the delivery loops to wake when documents changed (partner push, alerts)
    partner_push: PartnerService | None = None  # running when partners are configured
    partner_http: httpx.AsyncClient | None = None  # its own client: not the Rasa one (base URL, transport)
    contracts: ContractService | None = None  # running when a site has a company and contracts are enabled

    def code_matcher(self) -> CodeMatcher:
        """Barcodes → items and locations of the world of this moment."""
        return CodeMatcher(self.master.world, self.master.resolver)

    async def aclose(self) -> None:
        if self.contracts is not None:
            await self.contracts.stop()
        if self.partner_push is not None:
            await self.partner_push.stop()
        if self.partner_http is not None:
            await self.partner_http.aclose()
        await self.dashboard.stop()
        await self.fleet.stop()
        await self.push.aclose()
        await self.state.aclose()
        await self.http.aclose()
        self.engine.dispose()


def _prepare_database(settings: Settings, world: World) -> tuple[Engine, Ledger]:
    """Migrate, and load the world on first start (an empty ledger); one app process at a time."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    with one_process_at_a_time(url):
        upgrade(url)
        engine = make_engine(url)
        if not is_seeded(engine):
            load_world_into(engine, world)
    # With books in the world, a sale's vouchers are posted in its confirmation's transaction.
    if world.books is None:
        return engine, Ledger(engine, world)
    books = Books(engine, world)
    return engine, Ledger(engine, world, on_sale=books.on_sale, on_cancel_sale=books.on_cancel)


async def build_services(settings: Settings, rasa_transport: httpx.AsyncBaseTransport | None = None) -> Services:
    world = load_world(settings.world_path)
    engine, ledger = await asyncio.to_thread(_prepare_database, settings, world)
    master = await asyncio.to_thread(MasterData, world)  # names and their pinyin: ~0.2 s, off the event loop
    master.set_registered(await asyncio.to_thread(ledger.registered_customers))  # registered in earlier runs
    vocabulary = master.vocabulary
    router = Router(world)
    state = await open_state(StateConfig(
        url=settings.state_url, prefix=settings.state_prefix, turns_per_second=settings.turns_per_second,
        turn_burst=settings.turn_burst, lock_ttl_s=settings.turn_lock_ttl_s, lock_wait_s=settings.turn_lock_wait_s))
    push = DevicePush(state.bus)
    await push.start()
    feed = SiteFeed()
    journal = TurnJournal(engine)
    dashboard = Dashboard(world, ledger, journal, AlertStore(engine, world), feed)
    fleet = FleetService(engine, world, ledger, settings.mqtt_url or None,
                         fan_out(fleet_listener(world, ledger, push), dashboard.on_fleet_event),
                         embedded_port=settings.embedded_mqtt_port,
                         config=FleetConfig(**settings.fleet.model_dump(),
                                            # unique per process: two masters with one client id on a broker
                                            # would disconnect each other in turn
                                            client_id=f"frontline-master-{uuid.uuid4().hex[:10]}"),
                         router=router,
                         # several app processes: the dispatcher's events reach this process's dashboards, and its
                         # sockets too unless the push bus already carries every push to every process
                         on_remote_event=fan_out(*(() if state.bus is not None else
                                                   (fleet_listener(world, ledger, push, own_sockets_only=True),)),
                                                 dashboard.on_fleet_event))
    dashboard.fleet = fleet
    await fleet.start()
    wakeups = Wakeups()

    async def documents_changed(news: TurnRecord | ApprovalNotice) -> None:
        """A turn that touched documents, or an approval decided: the outboxes have news to send."""
        if not isinstance(news, TurnRecord) or news.documents:
            wakeups.wake()

    notify = fan_out(approval_notifier(world, push), dashboard.on_approval, documents_changed)
    deps = ActionDeps(master=master, ledger=ledger, timezone=settings.timezone, fleet=fleet, notify=notify)
    http = httpx.AsyncClient(base_url=settings.rasa_url, timeout=settings.rasa_timeout_s, transport=rasa_transport)
    dialogue = DialogueClient(http, settings.rasa_channel_secret(), settings.effective_rasa_urls)

    async def collect(turn_id: str) -> tuple[tuple[Document, ...], tuple[AgvOrderView, ...]]:
        """The documents a turn created or changed, and the AGV order each transfer got."""
        documents = tuple(await asyncio.to_thread(ledger.documents_for_turn, turn_id))
        orders = tuple(o for d in documents if d.type is DocType.transfer and (o := fleet.order(d.id)) is not None)
        return documents, orders

    def guide(ctx: TurnContext, documents: Sequence[Document], _lang: str, last_location: str | None
              ) -> Guidance | None:
        return guidance_for(router, fleet, ctx, documents, last_location)

    def refresh_names() -> None:
        master.set_registered(ledger.registered_customers())

    def guard(ctx: TurnContext, intent: str | None, reading: Reading, lang: str) -> str | None:
        return refuse_if_not_permitted(master.world, ctx, intent, reading, lang)

    reader = MessageReader(master, today=settings.today, refresh=refresh_names)
    pipeline = TurnPipeline(dialogue, reader, collect, settings.max_text_chars, guide, guard, state.state)
    vision = VisionService(vocabulary, settings.models_dir / "ocr", settings=settings.vision)
    speech = SpeechService(settings.effective_speech, vocabulary)
    # Load once at start, not on the first photo or command (~1 s OCR, Whisper in a worker thread). A model not
    # installed yet does not stop the app: photos or recordings are answered 503 in words until it is there.
    try:
        await vision.start()
    except ModelsMissing as error:
        log.warning("vision-models-missing", detail=str(error))
    try:
        await speech.warm_up()
    except SpeechUnavailable as error:
        log.warning("stt-unavailable", detail=str(error))
    master.on_change(lambda _world, vocabulary_now: vision.use_names(vocabulary_now))
    master.on_change(lambda _world, vocabulary_now: speech.use_vocabulary(vocabulary_now))
    recorder = TurnRecorder(journal, settings.var_dir / "media", settings.keep_media_days,
                            on_record=fan_out(dashboard.turn_recorded, documents_changed))
    await asyncio.to_thread(recorder.purge_media)
    await dashboard.start()
    partner = await _start_partner_push(settings, engine, ledger, wakeups)
    contracts = await _start_contracts(settings, engine, ledger, world, partner.get("partner_push"), wakeups, push)
    return Services(
        settings=settings, world=world, master=master, engine=engine, ledger=ledger, actions=build_executor(deps),
        dialogue=dialogue, http=http, pipeline=pipeline,
        tokens=DeviceTokens(engine), action_secret=settings.action_secret(), vision=vision, speech=speech,
        fleet=fleet, router=router, push=push, approvals=deps.approvals,
        recorder=recorder, turn_rate=state.rate, state=state, feed=feed, dashboard=dashboard,
        vouchers=VoucherStore(engine, world), partner_log=PartnerStore(engine), wakeups=wakeups,
        contracts=contracts, **partner,
    )


async def _start_contracts(settings: Settings, engine: Engine, ledger: Ledger, world: World,
                           partner_push: PartnerService | None, wakeups: Wakeups, push: DevicePush
                           ) -> ContractService | None:
    """The contract service, started, when a site has a company (its confirmed sales get signed contracts), woken
    with the other loops when documents change. A clause template that does not load stops the start with the
    reason."""
    if not settings.contracts.enabled or not world.companies:
        return None

    telling: set[asyncio.Task[None]] = set()

    async def number_of(document_id: str) -> str | None:
        info = await service.info(document_id)
        return info.number if info is not None else None

    tell_device = contract_notifier(world, ledger, push, number_of)

    def signed(document_id: str) -> None:
        """A contract signed: its contract.signed event to the partners now, and the PDF to whoever confirmed."""
        if partner_push is not None:
            partner_push.poke()
        task = asyncio.get_running_loop().create_task(tell_device(document_id), name=f"contract-{document_id}")
        telling.add(task)
        task.add_done_callback(telling.discard)

    # Built in a worker thread: it reads and checks the clause templates.
    service = await asyncio.to_thread(ContractService, engine, ledger, world, settings.contract_config(),
                                      on_signed=signed, world_dir=settings.world_path.parent)
    await service.start()
    wakeups.add(service.poke)
    return service


async def _start_partner_push(settings: Settings, engine: Engine, ledger: Ledger, wakeups: Wakeups
                              ) -> dict[str, Any]:
    """The partner webhooks' delivery service, started, when partners are configured."""
    if not settings.partners:
        return {}
    http = httpx.AsyncClient(follow_redirects=False)
    service = PartnerService(engine, ledger, settings.partners, http, policy=settings.partner_delivery)
    await service.start()
    wakeups.add(service.poke)
    return {"partner_push": service, "partner_http": http}
