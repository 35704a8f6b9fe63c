"""Everything that starts a process, in one place and one way (`ChildProcess`): the Rasa server and its training,
the AGV simulator, and the whole embedded stack of `frontline run`."""

from server.launch.process import ChildProcess, ProcessError, ProcessSpec, run_to_completion
from server.launch.rasa import RasaServer, RasaServerError, TrainingError, ensure_model
from server.launch.simulator import simulator_process
from server.launch.stack import (
    broker_url,
    evaluate_held_out,
    prepare_model,
    rasa_server,
    run_stack,
    serve_app,
    serve_rasa,
    simulator,
)

__all__ = ["ChildProcess", "ProcessError", "ProcessSpec", "RasaServer", "RasaServerError", "TrainingError",
           "broker_url", "ensure_model", "evaluate_held_out", "prepare_model", "rasa_server",
           "run_stack", "run_to_completion", "serve_app", "serve_rasa", "simulator", "simulator_process"]
