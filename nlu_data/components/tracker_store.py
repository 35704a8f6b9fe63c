"""A tracker store that keeps each conversation short.

One conversation per device lives for days; Rasa's stores replay and re-serialise every event on every
message and send all of them to the action server, so turn latency would grow without bound. On save this
store folds everything before the last few user turns into a snapshot (session start, current slot values,
active form) — the policies only look at the recent turns (max_history 4), so predictions are unchanged."""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


class CompactingTrackerStore(InMemoryTrackerStore):
    def __init__(
        self, domain: Domain, event_broker: Any = None, max_events: int = 80, keep_turns: int = 5, **kwargs: Any
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.max_events = int(max_events)
        self.keep_turns = int(keep_turns)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if len(tracker.events) > self.max_events:
            tracker = self.compact(tracker)
        await super().save(tracker)

    def compact(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        events: list[Event] = list(tracker.events)
        user_turns = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
        if len(user_turns) <= self.keep_turns:
            return tracker
        start = user_turns[-self.keep_turns]
        before = events[start - 1] if start else None
        if isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME:
            start -= 1
        slots = self.domain.slots if self.domain else []
        state = DialogueStateTracker.from_events(tracker.sender_id, events[:start], slots=slots)
        at = events[start].timestamp
        head: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at), SessionStarted(timestamp=at)]
        head += [SlotSet(slot.name, slot.value, timestamp=at) for slot in state.slots.values()
                 if slot.value != slot.initial_value]
        if state.active_loop_name:
            head.append(ActiveLoop(state.active_loop_name, timestamp=at))
        compacted = DialogueStateTracker.from_events(
            tracker.sender_id, head + events[start:], slots=slots, sender_source=tracker.sender_source
        )
        compacted.model_id = tracker.model_id
        compacted.assistant_id = tracker.assistant_id
        return compacted
