"""The turn pipeline: input → nlu-dialogue → render, with typed events and one error type."""

from assistant.pipeline.errors import TurnError
from assistant.pipeline.events import TurnEvent, TurnEventType
from assistant.pipeline.turn import TurnContext, TurnPipeline, TurnResult

__all__ = ["TurnContext", "TurnError", "TurnEvent", "TurnEventType", "TurnPipeline", "TurnResult"]
