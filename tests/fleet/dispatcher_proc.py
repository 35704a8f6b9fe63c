"""A fleet process for the leadership tests, to be killed abruptly: `python -m tests.fleet.dispatcher_proc URL BASE`.

A FleetService on the given PostgreSQL database and the system Mosquitto, nothing else; it runs until killed."""

from __future__ import annotations

import asyncio
import sys
import uuid

from assistant.fleet import FleetConfig, FleetService
from assistant.ledger.db import make_engine
from assistant.ledger.service import Ledger
from assistant.world.loader import load_world

MOSQUITTO = "mqtt://127.0.0.1:1883"


async def main(url: str, base: str) -> None:
    world = load_world()
    engine = make_engine(url)
    fleet = FleetService(engine, world, Ledger(engine, world), MOSQUITTO,
                         config=FleetConfig(base_topic=base, client_id=f"proc-{uuid.uuid4().hex[:8]}",
                                            resend_s=30.0, leader_retry_s=0.3, leader_check_s=0.3))
    await fleet.start()
    await fleet.wait_connected()
    print(f"started dispatching={fleet.leading}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
