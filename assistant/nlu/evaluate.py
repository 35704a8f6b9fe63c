"""Score a running Rasa server on the held-out split (`nlu_data/tests/nlu/*.yml`).

Intent accuracy: the top intent equals the annotated one. Entity exact match: an annotated entity counts
as found when the response holds an entity of the same type with exactly the same span (start, end)
(roles are not scored). Needs only HTTP: `python -m assistant.nlu.evaluate --url http://127.0.0.1:5005`.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class Miss:
    text: str
    expected_intent: str
    predicted_intent: str | None
    missing_entities: tuple[Entity, ...]
    extracted: tuple[Entity, ...]


@dataclass(frozen=True, slots=True)
class IntentScore:
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(slots=True)
class Report:
    examples: int = 0
    intent_correct: int = 0
    entities_expected: int = 0
    entities_found: int = 0
    per_intent: dict[str, IntentScore] = field(default_factory=dict)
    per_entity: dict[str, IntentScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.examples if self.examples else 1.0

    @property
    def entity_exact(self) -> float:
        return self.entities_found / self.entities_expected if self.entities_expected else 1.0

    @property
    def latency_p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    def summary(self) -> str:
        lines = [
            f"examples: {self.examples}",
            f"intent accuracy: {self.intent_accuracy:.1%} ({self.intent_correct}/{self.examples})",
            f"entity exact match: {self.entity_exact:.1%} ({self.entities_found}/{self.entities_expected})",
            f"parse latency p50: {self.latency_p50_ms:.0f} ms",
            "per intent:",
            *(f"  {name:20s} {s.accuracy:6.1%} ({s.correct}/{s.total})" for name, s in sorted(self.per_intent.items())),
            "per entity:",
            *(f"  {name:20s} {s.accuracy:6.1%} ({s.correct}/{s.total})" for name, s in sorted(self.per_entity.items())),
        ]
        if self.misses:
            lines.append("misses:")
            for m in self.misses:
                got = ", ".join(f"{e.entity}:{e.text}" for e in m.extracted) or "-"
                want = ", ".join(f"{e.entity}:{e.text}" for e in m.missing_entities)
                intent = "" if m.predicted_intent == m.expected_intent else \
                    f" intent {m.predicted_intent} ≠ {m.expected_intent};"
                lines.append(f"  {m.text!r}:{intent}{' missing ' + want + ';' if want else ''} got {got}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "intent_accuracy": self.intent_accuracy,
            "entity_exact": self.entity_exact,
            "latency_p50_ms": self.latency_p50_ms,
            "per_intent": {k: {"total": v.total, "correct": v.correct} for k, v in self.per_intent.items()},
            "misses": [m.text for m in self.misses],
        }


def parse_annotated(line: str) -> tuple[str, tuple[Entity, ...]]:
    """Rasa training-format text → (plain text, entities). Handles `[x](type)` and `[x]{"entity": ...}`."""
    out: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(line):
        out.append(line[pos:m.start()])
        length += m.start() - pos
        text = m.group("text")
        if m.group("entity") is not None:
            kind = m.group("entity").split(":")[0].strip()
        else:
            kind = str(json.loads(m.group("json"))["entity"])
        entities.append(Entity(kind, length, length + len(text), text))
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(line[pos:])
    return "".join(out), tuple(entities)


def load_examples(files: Iterable[Path]) -> list[Example]:
    """Every intent example of Rasa NLU YAML files (lookups and synonyms are ignored)."""
    examples: list[Example] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for raw in str(block.get("examples") or "").splitlines():
                raw = raw.strip()
                if not raw.startswith("- "):
                    continue
                text, entities = parse_annotated(raw[2:].strip())
                examples.append(Example(text, str(block["intent"]), entities, path.name))
    return examples


def score(examples: Sequence[Example], responses: Sequence[dict[str, Any]]) -> Report:
    """Compare /model/parse responses with the annotations (pure: no HTTP)."""
    report = Report()
    per_intent: dict[str, list[int]] = {}
    per_entity: dict[str, list[int]] = {}
    for example, response in zip(examples, responses, strict=True):
        predicted = (response.get("intent") or {}).get("name")
        extracted = tuple(
            Entity(str(e.get("entity")), int(e.get("start", -1)), int(e.get("end", -1)),
                   example.text[int(e.get("start", 0)):int(e.get("end", 0))])
            for e in response.get("entities") or []
        )
        spans = {(e.entity, e.start, e.end) for e in extracted}
        missing = tuple(e for e in example.entities if (e.entity, e.start, e.end) not in spans)
        report.examples += 1
        ok = predicted == example.intent
        report.intent_correct += ok
        counts = per_intent.setdefault(example.intent, [0, 0])
        counts[0] += 1
        counts[1] += ok
        report.entities_expected += len(example.entities)
        report.entities_found += len(example.entities) - len(missing)
        for e in example.entities:
            ec = per_entity.setdefault(e.entity, [0, 0])
            ec[0] += 1
            ec[1] += e not in missing
        if not ok or missing:
            report.misses.append(Miss(example.text, example.intent, predicted, missing, extracted))
    report.per_intent = {k: IntentScore(t, c) for k, (t, c) in per_intent.items()}
    report.per_entity = {k: IntentScore(t, c) for k, (t, c) in per_entity.items()}
    return report


def evaluate(
    parse_url: str, test_files: Iterable[Path], *, headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None, timeout_s: float = 30.0,
) -> Report:
    """Post every held-out example to `parse_url` (the Frontline channel's parse, `headers` carrying its secret)
    and score the answers."""
    examples = load_examples(test_files)
    responses: list[dict[str, Any]] = []
    latencies: list[float] = []
    with httpx.Client(transport=transport, timeout=timeout_s, trust_env=False, headers=dict(headers or {})) as client:
        for example in examples:
            started = time.perf_counter()
            response = client.post(parse_url, json={"text": example.text})
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            responses.append(response.json())
    report = score(examples, responses)
    report.latencies_ms = latencies
    return report
