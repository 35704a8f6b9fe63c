"""Post-processing of extracted entities (runs last in the NLU pipeline).

DIETClassifier and RegexEntityExtractor both tag items, locations and customers, so the raw
output holds duplicates and, now and then, overlapping spans.  `EntityResolver`:

* keeps one entity per span (exact duplicates collapse, the lookup match is preferred),
* on overlaps prefers the lookup (world vocabulary) match, unless a DIET entity of the same
  type covers every overlapping lookup match and no match of another type (an unknown,
  longer name such as "滚针轴承" around the known "轴承"),
* gives a `location` directly after 从 / 自 / 由 / from the role `source` (slot `source`);
  other locations keep no role (slot `destination`).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

_REGEX = "RegexEntityExtractor"
_SOURCE_CUE = re.compile(r"(?:从|自|由|\bfrom)\s*$", re.IGNORECASE)


def _overlaps(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    return int(a["start"]) < int(b["end"]) and int(b["start"]) < int(a["end"])


def resolve_entities(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Deduplicate and de-overlap entities, mark source locations; sorted by start."""
    lookup = [e for e in entities if e.get("extractor") == _REGEX]
    learned = [e for e in entities if e.get("extractor") != _REGEX]
    kept: List[Dict[str, Any]] = []
    for ent in lookup:  # lookup matches never overlap each other (one alternation per type)
        if not any(_overlaps(ent, k) for k in kept):
            kept.append(ent)
    for ent in learned:
        hits = [k for k in kept if _overlaps(ent, k)]
        if not hits:
            kept.append(ent)
            continue
        same = all(k["entity"] == ent["entity"] for k in hits)
        covers = all(ent["start"] <= k["start"] and k["end"] <= ent["end"] for k in hits)
        longer = any((k["end"] - k["start"]) < (ent["end"] - ent["start"]) for k in hits)
        if same and covers and longer and all(k.get("extractor") == _REGEX for k in hits):
            kept = [k for k in kept if k not in hits]
            kept.append(ent)
    out: List[Dict[str, Any]] = []
    for ent in sorted(kept, key=lambda e: (int(e["start"]), int(e["end"]))):
        ent = dict(ent)
        if ent["entity"] == "location":
            if _SOURCE_CUE.search(text[: int(ent["start"])]):
                ent["role"] = "source"
            else:
                ent.pop("role", None)
        out.append(ent)
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityResolver(GraphComponent):
    """Merge DIET and lookup entities into one clean list (see module docstring)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityResolver":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get("entities", [])
            if entities:
                message.set(
                    "entities", resolve_entities(message.get("text") or "", entities), add_to_output=True
                )
        return messages
