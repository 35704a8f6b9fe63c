"""A fleet test harness: a real Ledger on a temp SQLite, a broker (system Mosquitto or an embedded one), a
FleetService on a unique topic base, simulated vehicles at test speed, and the events it emitted."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from assistant.fleet import FleetConfig, FleetEvent, FleetService
from assistant.fleet.broker import BrokerAddress, EmbeddedBroker, clear_retained
from assistant.fleet.sim import SimConfig, SimVehicle
from assistant.fleet.topics import topic_name
from assistant.fleet.validation import Topic
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.world.loader import load_world
from assistant.world.schema import World

MOSQUITTO = "mqtt://127.0.0.1:1883"
FAST = SimConfig(speed_m_s=40.0, action_s=0.05, state_period_s=0.2, visualization_period_s=0.2, tick_s=0.01)


@dataclass
class Harness:
    world: World
    ledger: Ledger
    fleet: FleetService
    broker: BrokerAddress
    base: str
    embedded: EmbeddedBroker | None
    events: list[FleetEvent] = field(default_factory=list)
    sims: list[SimVehicle] = field(default_factory=list)

    def transfer(self, qty: int = 5, item: str = "CS-1001", source: str = "A-01", to: str = "LINE-B") -> str:
        plan = self.ledger.plan_transfer("DG", item, Decimal(qty), to, source)
        return self.ledger.confirm_transfer(plan, device="HMD-01", worker="W01", turn_id="t-fleet").id

    async def sim(self, serial: str = "AGV-01", config: SimConfig = FAST, start: str | None = None) -> SimVehicle:
        agv = next(a for a in self.world.agvs if a.serial == serial)
        vehicle = SimVehicle(agv, self.world.maps[0], self.broker, base=self.base, config=config, start_node=start,
                             client_id=f"sim-{serial}-{uuid.uuid4().hex[:6]}")
        await vehicle.start()
        await vehicle.wait_connected()
        self.sims.append(vehicle)
        return vehicle

    def stock(self, location: str, item: str = "CS-1001") -> tuple[Decimal, Decimal]:
        row = next((r for r in self.ledger.stock("DG", item) if r.location == location), None)
        return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


async def wait_until(check: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def harness(kind: str, tmp_path: Path, *, resend_s: float = 0.3, world: World | None = None,
                  ) -> AsyncIterator[Harness]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    upgrade(url)
    engine = make_engine(url)
    world = world or load_world()
    load_world_into(engine, world)
    ledger = Ledger(engine, world)
    embedded = EmbeddedBroker() if kind == "embedded" else None
    if embedded is not None:
        await embedded.start()
    broker = embedded.address if embedded else BrokerAddress.from_url(MOSQUITTO)
    base = f"test-{uuid.uuid4().hex[:10]}/uagv/v2"
    events: list[FleetEvent] = []

    async def collect(event: FleetEvent) -> None:
        events.append(event)

    fleet = FleetService(engine, world, ledger, broker.url, collect,
                         config=FleetConfig(base_topic=base, client_id=f"master-{uuid.uuid4().hex[:8]}",
                                            resend_s=resend_s))
    h = Harness(world=world, ledger=ledger, fleet=fleet, broker=broker, base=base, embedded=embedded, events=events)
    await fleet.start()
    await fleet.wait_connected()
    try:
        yield h
    finally:
        for vehicle in h.sims:
            await vehicle.stop()
        await fleet.stop()
        if embedded is not None:
            await embedded.stop()
        else:
            await clear_retained(broker, [topic_name(base, a.manufacturer, a.serial, Topic.connection)
                                          for a in world.agvs])
        engine.dispose()
