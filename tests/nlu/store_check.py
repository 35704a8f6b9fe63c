"""Run by tests/nlu/test_tracker_store.py in the Rasa environment (it cannot import the app): a long conversation
saved turn by turn through the compacting SQL tracker store stays short when read back, keeps its state, and
survives a new store object (a restart). Prints a JSON summary."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered

sys.path.insert(0, str(Path(sys.argv[1])))  # the Rasa project, for `components`
from components.tracker_store import CompactingSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [transfer_stock, inform]
slots:
  item: {type: text, mappings: [{type: custom}]}
  amount: {type: text, mappings: [{type: custom}]}
forms:
  transfer_form: {required_slots: [item, amount]}
""")


async def main(config: dict[str, object]) -> None:
    store = CompactingSQLTrackerStore(DOMAIN, max_events=40, keep_turns=3, **config)  # type: ignore[arg-type]
    sender = "HMD-01"
    for turn in range(60):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(f"第{turn}句", {"name": "inform", "confidence": 1.0}))
        tracker.update(SlotSet("amount", f"{turn}件"))
        if turn == 10:
            tracker.update(SlotSet("item", "CS-1001"))
            tracker.update(ActiveLoop("transfer_form"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    read = await CompactingSQLTrackerStore(DOMAIN, max_events=40, keep_turns=3, **config).retrieve(sender)  # type: ignore[arg-type]
    assert read is not None
    print(json.dumps({"events": len(read.events), "item": read.get_slot("item"), "amount": read.get_slot("amount"),
                      "loop": read.active_loop_name,
                      "last": [e.text for e in read.events if isinstance(e, UserUttered)][-1]}))


asyncio.run(main(json.loads(sys.argv[2])))
