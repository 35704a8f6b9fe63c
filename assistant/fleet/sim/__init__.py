"""A VDA 5050 vehicle simulator: several simulated AGVs per process (`frontline agv-sim`)."""

from assistant.fleet.sim.runner import run_vehicles, vehicles_for
from assistant.fleet.sim.vehicle import SimConfig, SimVehicle

__all__ = ["SimConfig", "SimVehicle", "run_vehicles", "vehicles_for"]
