"""Post-processing of extracted entities (runs last in the NLU pipeline).

DIETClassifier and RegexEntityExtractor both tag items, locations and customers, so the raw
output holds duplicates and, now and then, overlapping spans.  `EntityResolver`:

* keeps one entity per span (exact duplicates collapse, the lookup match is preferred),
* on overlaps keeps the lookup (world vocabulary) match and drops the DIET entity: a known name
  is exact, DIET's span may run over ("dock 2 please", "螺栓M8两只"); an unknown name around a
  known one ("滚针轴承" around "轴承") comes out as the known one, which the read-back shows,
* trims punctuation and spaces off entity edges (DIET sometimes takes the "；" after a date),
* gives a `location` directly after 从 / 自 / 由 / from the role `source` (slot `source`);
  other locations keep no role (slot `destination`).
"""

# Rasa compares the typing.List / Dict / Optional annotations of graph components: keep them.
# ruff: noqa: UP006, UP019, UP035, UP045
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

_REGEX = "RegexEntityExtractor"
_SOURCE_CUE = re.compile(r"(?:从|自|由|\bfrom)\s*$", re.IGNORECASE)


def _overlaps(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    return int(a["start"]) < int(b["end"]) and int(b["start"]) < int(a["end"])


_EDGE = " \t\r\n,.;:!?，。；：、！？（）()[]【】\"'“”‘’"


def trim(text: str, entity: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The entity without punctuation or spaces at its edges ("4月18号；" -> "4月18号"); None if empty."""
    start, end = int(entity["start"]), int(entity["end"])
    old = text[start:end]
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    if start == end:
        return None
    if (start, end) == (int(entity["start"]), int(entity["end"])):
        return entity
    trimmed = dict(entity, start=start, end=end)
    if entity.get("value") == old:
        trimmed["value"] = text[start:end]
    return trimmed


def resolve_entities(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Deduplicate and de-overlap entities, mark source locations; sorted by start."""
    entities = [t for t in (trim(text, e) for e in entities) if t is not None]
    lookup = [e for e in entities if e.get("extractor") == _REGEX]
    learned = [e for e in entities if e.get("extractor") != _REGEX]
    kept: List[Dict[str, Any]] = []
    for ent in lookup:  # lookup matches never overlap each other (one alternation per type)
        if not any(_overlaps(ent, k) for k in kept):
            kept.append(ent)
    for ent in learned:  # DIET entities fill the gaps: unknown names, amounts, dates, AGVs
        if not any(_overlaps(ent, k) for k in kept):
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
    ) -> EntityResolver:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get("entities", [])
            if entities:
                message.set(
                    "entities", resolve_entities(message.get("text") or "", entities), add_to_output=True
                )
        return messages
