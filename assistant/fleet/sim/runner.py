"""Build simulated vehicles for a world's AGVs and run them until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Mapping, Sequence

from assistant.fleet.broker import BrokerAddress
from assistant.fleet.sim.vehicle import SimConfig, SimVehicle
from assistant.world.schema import World


def vehicles_for(world: World, broker: BrokerAddress, *, base: str, config: SimConfig,
                 serials: Sequence[str] = (), start: Mapping[str, str] | None = None,
                 error_at: Mapping[str, str] | None = None) -> list[SimVehicle]:
    """One simulator per AGV of the world (or only `serials`), each on its site's map."""
    maps = {m.code: m for m in world.maps}
    sites = {s.code: s.map for s in world.sites}
    chosen = [a for a in world.agvs if not serials or a.serial in serials]
    missing = set(serials) - {a.serial for a in chosen}
    if missing:
        raise ValueError(f"unknown AGV(s): {', '.join(sorted(missing))}")
    result = []
    for agv in chosen:
        map_code = sites.get(agv.site)
        if map_code is None or map_code not in maps:
            raise ValueError(f"{agv.serial}: site {agv.site} has no map")
        cfg = config if not error_at or agv.serial not in error_at else \
            SimConfig(**{**config.__dict__, "error_at": error_at[agv.serial]})
        result.append(SimVehicle(agv, maps[map_code], broker, base=base, config=cfg,
                                 start_node=(start or {}).get(agv.serial)))
    return result


async def run_vehicles(vehicles: Sequence[SimVehicle]) -> None:
    """Run until SIGINT/SIGTERM, then go OFFLINE gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    for vehicle in vehicles:
        await vehicle.start()
    try:
        await stop.wait()
    finally:
        for vehicle in vehicles:
            await vehicle.stop()
