"""The Rasa NLU project as the app sees it: build it from `nlu_data/` + the world, train it once per
fingerprint, run the Rasa server as a subprocess, and score it on the held-out split.

The app never imports Rasa; everything here talks to `.venv-rasa/bin/rasa` through a subprocess or HTTP.
"""

from assistant.nlu.build import BuiltProject, build_project
from assistant.nlu.evaluate import Report, evaluate
from assistant.nlu.server import RasaServer, RasaServerError
from assistant.nlu.train import TrainingError, ensure_model

__all__ = [
    "BuiltProject",
    "RasaServer",
    "RasaServerError",
    "Report",
    "TrainingError",
    "build_project",
    "ensure_model",
    "evaluate",
]
