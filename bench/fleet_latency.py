"""Benchmark: confirm → order published latency, and route computation on a 1 000-node map.

    python -m bench.fleet_latency [--broker mqtt://127.0.0.1:1883] [--runs 30]

Without --broker the embedded broker is used. Runs on a temp SQLite ledger with the demo world and two
fast simulated AGVs; the latency is from the ledger confirmation to the order arriving at a subscriber."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import aiomqtt

from assistant.fleet.broker import BrokerAddress, EmbeddedBroker, clear_retained
from assistant.fleet.service import FleetConfig, FleetService
from assistant.fleet.sim import SimConfig, SimVehicle
from assistant.fleet.topics import topic_name
from assistant.fleet.validation import Topic
from assistant.ledger.db import make_engine
from assistant.ledger.migrate import upgrade
from assistant.ledger.seed import load_world_into
from assistant.ledger.service import Ledger
from assistant.ledger.states import DocStatus
from assistant.logs import configure_logging
from assistant.routing import Router
from assistant.world.loader import load_world
from tests.routing.support import grid_world


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms (n={len(ordered)})"


def bench_routing(runs: int = 200) -> str:
    world = grid_world(32)
    site_map = world.maps[0]
    router = Router(world)
    started = time.perf_counter()
    router.graph("BIG")
    build_ms = (time.perf_counter() - started) * 1000
    nodes = list(site_map.nodes)
    samples = []
    for i in range(runs):
        a, b = nodes[(i * 37) % len(nodes)], nodes[-1 - (i * 53) % len(nodes)]
        started = time.perf_counter()
        try:
            router.route("BIG", a, b)
        except Exception:
            continue  # a blocked corner: not a route, not a sample
        samples.append((time.perf_counter() - started) * 1000)
    return f"route on {len(nodes)} nodes / {len(site_map.edges)} edges: graph build {build_ms:.1f} ms; " \
           f"{_percentiles(samples)}"


async def bench_dispatch(broker_url: str | None, runs: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        world = load_world()
        load_world_into(engine, world)
        ledger = Ledger(engine, world)
        embedded = EmbeddedBroker() if broker_url is None else None
        if embedded:
            await embedded.start()
        broker = embedded.address if embedded else BrokerAddress.from_url(broker_url or "")
        base = f"bench-{uuid.uuid4().hex[:8]}/uagv/v2"
        fleet = FleetService(engine, world, ledger, broker.url, config=FleetConfig(base_topic=base))
        fast = SimConfig(speed_m_s=500.0, action_s=0.001, state_period_s=0.5, tick_s=0.002)
        sims = [SimVehicle(a, world.maps[0], broker, base=base, config=fast) for a in world.agvs]
        arrived: dict[str, float] = {}
        try:
            await fleet.start()
            for sim in sims:
                await sim.start()
            async with aiomqtt.Client(broker.host, broker.port, identifier=f"bench-{uuid.uuid4().hex[:6]}") as spy:
                await spy.subscribe(f"{base}/+/+/order")

                async def listen() -> None:
                    async for message in spy.messages:
                        if isinstance(message.payload, bytes):
                            arrived.setdefault(json.loads(message.payload)["orderId"], time.perf_counter())

                listener = asyncio.create_task(listen())
                while not any(a.available for a in fleet.agvs()):
                    await asyncio.sleep(0.01)
                samples = []
                for i in range(runs):
                    src, dst = ("A-01", "LINE-B") if i % 2 == 0 else ("LINE-B", "A-01")
                    plan = ledger.plan_transfer("DG", "CS-1001", Decimal(1), dst, src)
                    started = time.perf_counter()
                    doc = ledger.confirm_transfer(plan, device=None, worker=None, turn_id=None)
                    view = await fleet.dispatch_transfer(doc.id)
                    while view.order_id not in arrived:
                        await asyncio.sleep(0.0005)
                    samples.append((arrived[view.order_id or ""] - started) * 1000)
                    while ledger.document(doc.id).status is not DocStatus.done:
                        await asyncio.sleep(0.005)
                listener.cancel()
        finally:
            for sim in sims:
                await sim.stop()
            await fleet.stop()
            if embedded:
                await embedded.stop()
            else:  # leave no retained connection messages on a shared broker
                await clear_retained(broker, [topic_name(base, a.manufacturer, a.serial, Topic.connection)
                                              for a in world.agvs])
            engine.dispose()
    return f"confirm → order on the wire ({'embedded' if broker_url is None else broker_url}): {_percentiles(samples)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--broker", default=None, help="MQTT URL; default: embedded broker")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    configure_logging(logging.WARNING)
    print(bench_routing())
    print(asyncio.run(bench_dispatch(args.broker, args.runs)))


if __name__ == "__main__":
    main()
