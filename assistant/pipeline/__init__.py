"""The turn pipeline: input → reading → dialogue → what changed, with typed events and one error type.

    pipeline = TurnPipeline(dialogue, reader, collect, max_text_chars, guide)
    result = await pipeline.run_text(ctx, "调拨5件曲轴到总装线B区")      # a typed TurnResult

Input stages for audio and images: `assistant.pipeline.audio.run_audio`, `assistant.pipeline.image.run_image`.
"""

from assistant.pipeline.dialogue import DialogueClient
from assistant.pipeline.errors import TurnError
from assistant.pipeline.events import TurnEvent, TurnEventType
from assistant.pipeline.results import ActionId, Buttons, TurnContext, TurnInput, TurnResult
from assistant.pipeline.turn import TurnPipeline

__all__ = ["ActionId", "Buttons", "DialogueClient", "TurnContext", "TurnError", "TurnEvent", "TurnEventType",
           "TurnInput", "TurnPipeline", "TurnResult"]
