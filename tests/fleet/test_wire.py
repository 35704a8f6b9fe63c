"""Everything on the wire is schema-valid, and junk from a vehicle is logged and ignored."""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal
from pathlib import Path

import aiomqtt

from assistant.fleet import FleetService, LinkStatus
from assistant.fleet.broker import BrokerAddress
from assistant.fleet.sim import SimVehicle
from assistant.fleet.topics import parse_topic, topic_name
from assistant.fleet.validation import Topic, problems
from assistant.ledger.states import DocStatus
from tests.fleet.support import FAST, harness, wait_until


async def test_every_message_sent_and_received_is_schema_valid(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        seen: list[tuple[Topic, dict[str, object]]] = []

        async def spy() -> None:
            async with aiomqtt.Client(h.broker.host, h.broker.port, identifier=f"spy-{uuid.uuid4().hex[:6]}") as c:
                await c.subscribe(f"{h.base}/#", qos=1)
                async for m in c.messages:
                    address = parse_topic(h.base, str(m.topic))
                    if address is not None and isinstance(m.payload, bytes) and m.payload:
                        seen.append((address.topic, json.loads(m.payload)))

        task = asyncio.create_task(spy())
        await asyncio.sleep(0.2)
        try:
            await h.sim("AGV-01")
            await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
            doc_id = h.transfer()
            await h.fleet.dispatch_transfer(doc_id)
            await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="done")
            await h.fleet.cancel(h.transfer(qty=1))  # a cancelOrder for nobody: none sent (no AGV order)
        finally:
            task.cancel()
        topics = {t for t, _ in seen}
        assert {Topic.order, Topic.state, Topic.connection, Topic.visualization} <= topics
        for topic, message in seen:
            assert problems(topic, message) == [], (topic, message)
        orders = [m for t, m in seen if t is Topic.order]
        # resends (QoS 0, until the state echoes it) repeat the same ids: the vehicle ignores duplicates
        ids = list(dict.fromkeys((o["orderId"], o["orderUpdateId"]) for o in orders))
        assert ids == [(f"{doc_id}-1", 0), (f"{doc_id}-1", 1)]


async def test_malformed_vehicle_messages_are_ignored(broker_kind: str, tmp_path: Path) -> None:
    async with harness(broker_kind, tmp_path) as h:
        vehicle = await h.sim("AGV-01")
        await wait_until(lambda: h.fleet.agvs()[0].available, what="AGV-01 available")
        state = vehicle.state()
        junk = [b"{not json", b"42", json.dumps({**state, "driving": "yes"}).encode(),
                json.dumps({**state, "serialNumber": "AGV-99"}).encode(), b"\x00\xff"]
        async with aiomqtt.Client(h.broker.host, h.broker.port, identifier=f"junk-{uuid.uuid4().hex[:6]}") as c:
            for payload in junk:
                await c.publish(topic_name(h.base, "Acme", "AGV-01", Topic.state), payload)
            await c.publish(topic_name(h.base, "Acme", "AGV-01", Topic.connection), b"garbage")
        await wait_until(lambda: h.fleet.invalid_messages >= len(junk) + 1, what="junk counted")
        doc_id = h.transfer()
        await h.fleet.dispatch_transfer(doc_id)  # the link still works
        await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="done")


async def test_embedded_default_broker_when_none_is_configured(tmp_path: Path) -> None:
    async with harness("embedded", tmp_path) as h:  # for the ledger; the service below brings its own broker
        fleet = FleetService(h.fleet._store._engine, h.world, h.ledger, None)
        await fleet.start()
        try:
            await fleet.wait_connected()
            assert fleet.broker_url.startswith("mqtt://127.0.0.1:")
            sim = SimVehicle(h.world.agvs[0], h.world.maps[0], BrokerAddress.from_url(fleet.broker_url),
                             base="uagv/v2", config=FAST)
            await sim.start()
            try:
                await wait_until(lambda: fleet.agvs()[0].available, what="AGV-01 on the embedded broker")
                doc_id = h.transfer()
                view = await fleet.dispatch_transfer(doc_id)
                assert view.status is LinkStatus.assigned
                await wait_until(lambda: h.ledger.document(doc_id).status is DocStatus.done, what="done")
                assert h.stock("LINE-B") == (Decimal(5), Decimal(0))
            finally:
                await sim.stop()
        finally:
            await fleet.stop()
