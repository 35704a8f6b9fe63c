"""The simulator's vehicles on a shared broker: one MQTT identity per vehicle and topic base."""

from __future__ import annotations

from assistant.fleet.broker import BrokerAddress
from assistant.fleet.sim.vehicle import SimVehicle
from assistant.world.loader import load_world


def test_simulators_of_two_topic_bases_do_not_share_a_client_id() -> None:
    """Two runs on one Mosquitto (two test sessions, two demo sites) each keep their vehicles connected: a shared
    client id would make the broker drop one session for the other, over and over."""
    world = load_world()
    agv, site_map = world.agvs[0], world.maps[0]
    broker = BrokerAddress.from_url("mqtt://127.0.0.1:1883")
    ids = {base: SimVehicle(agv, site_map, broker, base=base)._link._client_id
           for base in ("uagv/v2", "frontline-test-1/uagv/v2", "frontline-test-2/uagv/v2")}
    assert len(set(ids.values())) == 3
    assert all(i.startswith(f"sim-{agv.manufacturer}-{agv.serial}-") for i in ids.values())
    assert SimVehicle(agv, site_map, broker, base="uagv/v2")._link._client_id == ids["uagv/v2"]
