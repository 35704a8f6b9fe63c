"""assistant.nlu.evaluate: parsing annotated examples and scoring canned /model/parse answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from assistant.nlu.evaluate import Entity, evaluate, load_examples, parse_annotated

TEST_YAML = """version: "3.1"
nlu:
  - intent: transfer_stock
    examples: |
      - 调拨[5件](amount)[曲轴](item)到[总装线B区](location)
      - 从[A区1号货架]{"entity": "location", "role": "source"}调[曲轴](item)
  - intent: affirm
    examples: |
      - 确认
  - lookup: item
    examples: |
      - 曲轴
"""


def test_parse_annotated_gives_plain_text_and_spans() -> None:
    text, entities = parse_annotated("调拨[5件](amount)[曲轴](item)到[总装线B区](location)")
    assert text == "调拨5件曲轴到总装线B区"
    assert entities == (Entity("amount", 2, 4, "5件"), Entity("item", 4, 6, "曲轴"),
                        Entity("location", 7, 12, "总装线B区"))
    text, entities = parse_annotated('from [A01]{"entity": "location", "role": "source"} ok')
    assert text == "from A01 ok" and entities == (Entity("location", 5, 8, "A01"),)


def _files(tmp_path: Path) -> list[Path]:
    path = tmp_path / "t.yml"
    path.write_text(TEST_YAML, encoding="utf-8")
    return [path]


def test_load_examples_skips_lookups(tmp_path: Path) -> None:
    examples = load_examples(_files(tmp_path))
    assert [(e.intent, e.text) for e in examples] == [
        ("transfer_stock", "调拨5件曲轴到总装线B区"), ("transfer_stock", "从A区1号货架调曲轴"), ("affirm", "确认")]


def _ent(kind: str, start: int, end: int) -> dict[str, Any]:
    return {"entity": kind, "start": start, "end": end, "value": "x", "extractor": "DIETClassifier"}


CANNED: dict[str, dict[str, Any]] = {
    # all right (plus an extra entity, which costs nothing)
    "调拨5件曲轴到总装线B区": {"intent": {"name": "transfer_stock"},
                          "entities": [_ent("amount", 2, 4), _ent("item", 4, 6), _ent("location", 7, 12),
                                       _ent("location", 7, 10)]},
    # right intent; the location span is one character short and the item has the wrong type
    "从A区1号货架调曲轴": {"intent": {"name": "transfer_stock"},
                     "entities": [_ent("location", 1, 6), _ent("location", 8, 10)]},
    # wrong intent
    "确认": {"intent": {"name": "deny"}, "entities": []},
}


def _transport(seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/model/parse"
        text = json.loads(request.content)["text"]
        seen.append(text)
        return httpx.Response(200, json={"text": text, **CANNED[text]})

    return httpx.MockTransport(handler)


def test_evaluate_scores_intents_and_exact_entity_spans(tmp_path: Path) -> None:
    seen: list[str] = []
    report = evaluate("http://rasa.test/model/parse", _files(tmp_path), transport=_transport(seen))
    assert seen == list(CANNED)
    assert report.examples == 3 and report.intent_correct == 2
    assert abs(report.intent_accuracy - 2 / 3) < 1e-9
    assert report.entities_expected == 5 and report.entities_found == 3
    assert report.per_intent["transfer_stock"].accuracy == 1.0
    assert report.per_intent["affirm"].accuracy == 0.0
    assert report.per_entity["location"].correct == 1 and report.per_entity["location"].total == 2
    assert [m.text for m in report.misses] == ["从A区1号货架调曲轴", "确认"]
    miss = report.misses[0]
    assert {e.entity for e in miss.missing_entities} == {"location", "item"}
    assert report.misses[1].predicted_intent == "deny"
    assert len(report.latencies_ms) == 3
    summary = report.summary()
    assert "intent accuracy: 66.7%" in summary and "entity exact match: 60.0%" in summary
    assert report.as_dict()["examples"] == 3


def test_an_empty_split_scores_perfectly() -> None:
    report = evaluate("http://rasa.test/model/parse", [], transport=_transport([]))
    assert report.intent_accuracy == 1.0 and report.entity_exact == 1.0
