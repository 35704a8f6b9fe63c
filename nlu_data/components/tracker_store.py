"""Conversations that survive a restart and stay short: Rasa's SQL tracker store (SQLite file by default, the app's
PostgreSQL when it runs on one) with compaction.

One conversation per device lives for days; Rasa replays and re-serialises every event of the current session on
every message and sends them all to the action server, so turn latency would grow without bound. When a session
holds more than `max_events`, this store folds everything before the last few user turns into a snapshot (session
start, current slot values, active form) and appends it as a new session: the SQL store reads only from the latest
`session_started` on, so each turn reads at most the snapshot and the recent turns. The policies only look at the
recent turns (max_history 4), so predictions are unchanged. The rows before stay in the table (the app keeps its
own record of every turn; these are Rasa's)."""

from __future__ import annotations

import json
import time
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


def compacted(tracker: DialogueStateTracker, domain: Domain | None, keep_turns: int) -> list[Event]:
    """The session's events with everything before the last `keep_turns` user turns folded into a snapshot."""
    events: list[Event] = list(tracker.events)
    user_turns = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if len(user_turns) <= keep_turns:
        return events
    start = user_turns[-keep_turns]
    before = events[start - 1] if start else None
    if isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME:
        start -= 1
    slots = domain.slots if domain else []
    state = DialogueStateTracker.from_events(tracker.sender_id, events[:start], slots=slots)
    head: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()]
    head += [SlotSet(slot.name, slot.value) for slot in state.slots.values() if slot.value != slot.initial_value]
    if state.active_loop_name:
        head.append(ActiveLoop(state.active_loop_name))
    return head + events[start:]


class CompactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Domain | None = None, max_events: int = 80, keep_turns: int = 5,
                 **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        self.max_events = int(max_events)
        self.keep_turns = int(keep_turns)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if len(tracker.events) <= self.max_events:
            await super().save(tracker)
            return
        events = compacted(tracker, self.domain, self.keep_turns)
        # One timestamp for the whole new session: the store reads from the latest session start by timestamp,
        # so the copies must not be older than it, and nothing stored before is newer.
        now = time.time()
        with self.session_scope() as session:
            for event in events:
                event.timestamp = now
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name, timestamp=now,
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()
