"""The Rasa NLU project as the app sees it: build it from `nlu_data/` + the world (with its fingerprint), and
score a running model on the held-out split. Training and running Rasa are processes, started at the edge
(`server/launch/rasa.py`); nothing here imports Rasa.
"""

from assistant.nlu.build import BuiltProject, build_project
from assistant.nlu.evaluate import Report, evaluate

__all__ = ["BuiltProject", "Report", "build_project", "evaluate"]
