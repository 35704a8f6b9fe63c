"""`python -m assistant.fleet.sim`: simulate the world's AGVs against an MQTT broker.

Example: python -m assistant.fleet.sim --broker mqtt://127.0.0.1:1883 --speed 2 --error-at AGV-01=LB"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from assistant.fleet.broker import BrokerAddress
from assistant.fleet.sim.runner import run_vehicles, vehicles_for
from assistant.fleet.sim.vehicle import SimConfig
from assistant.fleet.topics import DEFAULT_BASE
from assistant.logs import configure_logging
from assistant.world.loader import DEMO_WORLD, load_world


def _pairs(values: list[str]) -> dict[str, str]:
    pairs = dict(v.split("=", 1) for v in values)
    return {k.strip(): v.strip() for k, v in pairs.items()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m assistant.fleet.sim", description=__doc__)
    parser.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="MQTT broker URL")
    parser.add_argument("--base", default=DEFAULT_BASE, help="topic base (interfaceName/majorVersion)")
    parser.add_argument("--world", type=Path, default=DEMO_WORLD)
    parser.add_argument("--serial", action="append", default=[], help="only these AGVs (repeatable)")
    parser.add_argument("--speed", type=float, default=1.0, help="metres per second")
    parser.add_argument("--action-seconds", type=float, default=2.0, help="duration of pick and drop")
    parser.add_argument("--state-period", type=float, default=1.0, help="seconds between state messages")
    parser.add_argument("--start", action="append", default=[], help="SERIAL=NODE start position")
    parser.add_argument("--error-at", action="append", default=[], help="SERIAL=NODE: FATAL error on arrival")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    configure_logging()
    config = SimConfig(speed_m_s=args.speed, action_s=args.action_seconds, state_period_s=args.state_period,
                       visualization_period_s=min(0.5, args.state_period))
    vehicles = vehicles_for(load_world(args.world), BrokerAddress.from_url(args.broker), base=args.base,
                            config=config, serials=args.serial, start=_pairs(args.start),
                            error_at=_pairs(args.error_at))
    asyncio.run(run_vehicles(vehicles))


if __name__ == "__main__":
    main()
