"""The Rasa project's data: world coverage, a clean held-out split, a consistent domain and rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.nlu.evaluate import Example, load_examples
from assistant.world.loader import load_world

NLU_DIR = Path(__file__).resolve().parents[2] / "nlu_data"
TRAIN_FILES = sorted((NLU_DIR / "data/nlu").glob("*.yml"))
TEST_FILES = sorted((NLU_DIR / "tests/nlu").glob("*.yml"))
TOPICS = {"transfer", "sales", "stock", "agv", "confirm", "chitchat", "inform", "approval", "correct"}


@pytest.fixture(scope="module")
def train() -> list[Example]:
    return load_examples(TRAIN_FILES)


@pytest.fixture(scope="module")
def held_out() -> list[Example]:
    return load_examples(TEST_FILES)


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return dict(yaml.safe_load((NLU_DIR / "domain.yml").read_text(encoding="utf-8")))


def _names(entries: Any) -> set[str]:
    out: set[str] = set()
    for entry in entries:
        out.update(entry.keys() if isinstance(entry, dict) else [str(entry)])
    return out


def test_files_are_split_by_topic() -> None:
    assert {p.stem for p in TRAIN_FILES} == TOPICS | {"regex"}  # regex.yml: featurizer patterns
    assert {p.stem for p in TEST_FILES} == TOPICS


def test_training_data_tags_every_world_name(train: list[Example]) -> None:
    world = load_world()
    tagged = {(e.entity, e.text) for ex in train for e in ex.entities}
    missing = [("item", n) for i in world.items for n in i.names if ("item", n) not in tagged]
    missing += [("location", n) for s in world.sites for loc in s.locations for n in loc.names
                if ("location", n) not in tagged]
    missing += [("customer", n) for c in world.customers for n in c.names if ("customer", n) not in tagged]
    assert not missing


def test_unknown_items_are_tagged_too(train: list[Example]) -> None:
    items = {e.text for ex in train for e in ex.entities if e.entity == "item"}
    assert {"飞机", "桌子", "轮胎", "engine"} <= items


def test_held_out_split_is_separate_and_big_enough(train: list[Example], held_out: list[Example]) -> None:
    assert len(held_out) >= 120
    assert not {ex.text for ex in held_out} & {ex.text for ex in train}
    assert sum(len(ex.entities) for ex in held_out) >= 150
    assert Counter(ex.text for ex in held_out).most_common(1)[0][1] == 1


def test_every_intent_and_entity_is_declared(domain: dict[str, Any], train: list[Example],
                                             held_out: list[Example]) -> None:
    intents = _names(domain["intents"])
    entities = _names(domain["entities"])
    for ex in train + held_out:
        assert ex.intent in intents, ex
        assert all(e.entity in entities for e in ex.entities), ex
    assert {ex.intent for ex in train} == intents - {"nlu_fallback"}
    assert {ex.intent for ex in held_out} == intents - {"nlu_fallback"}


def test_annotations_cover_whole_words(train: list[Example], held_out: list[Example]) -> None:
    """An entity never starts or ends inside a Latin word or a number (it could not align with tokens)."""
    for ex in train + held_out:
        for e in ex.entities:
            before = ex.text[e.start - 1] if e.start else " "
            after = ex.text[e.end] if e.end < len(ex.text) else " "
            for outside, inside in ((before, e.text[0]), (after, e.text[-1])):
                same_run = (outside.isascii() and outside.isalnum() and inside.isascii() and inside.isalnum()
                            and outside.isdigit() == inside.isdigit())
                assert not same_run, (ex.text, e)


def test_rules_use_only_declared_actions_and_intents(domain: dict[str, Any]) -> None:
    rules = yaml.safe_load((NLU_DIR / "data/rules.yml").read_text(encoding="utf-8"))["rules"]
    actions = set(domain["actions"]) | set(domain["forms"]) | {"action_deactivate_loop"}
    intents = _names(domain["intents"])
    for rule in rules:
        for step in rule["steps"]:
            if "action" in step:
                assert step["action"] in actions, rule["rule"]
            if "intent" in step:
                assert step["intent"] in intents, rule["rule"]
    triggers = {s["intent"]: [x.get("action") for x in r["steps"]][1] for r in rules if "condition" not in r
                for s in r["steps"][:1] if "intent" in s}
    assert triggers["transfer_stock"] == "transfer_form"
    assert triggers["create_sales_order"] == "sales_order_form"
    assert triggers["affirm"] == "action_confirm"
    assert triggers["deny"] == triggers["cancel"] == "action_cancel"


def test_domain_forms_slots_and_session(domain: dict[str, Any]) -> None:
    forms = domain["forms"]
    assert forms["transfer_form"]["required_slots"] == ["item", "amount", "destination"]
    assert forms["sales_order_form"]["required_slots"] == ["customer", "item", "amount"]
    slots = domain["slots"]
    assert {"item", "amount", "qty_base", "destination", "source", "customer", "order_date", "proposal",
            "choices"} <= set(slots)
    assert all(not s.get("influence_conversation", True) for s in slots.values())
    session = domain["session_config"]
    assert session == {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}


def test_config_pipeline_and_policies() -> None:
    config = yaml.safe_load((NLU_DIR / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    assert names[0] == "components.tokenizer.FrontlineTokenizer"
    assert "DIETClassifier" in names and names[-1] == "FallbackClassifier"
    assert {p["name"] for p in config["policies"]} == {"RulePolicy", "MemoizationPolicy"}
    assert config["assistant_id"] and config["language"] == "zh"
    assert re.search(r"^\s*dictionary_path:", (NLU_DIR / "config.yml").read_text(encoding="utf-8"), re.M)


def _plain(text: str) -> str:
    return re.sub(r"[\s,，。.!?！？]", "", text.lower())


def test_no_shared_fixture_sentence_is_training_data(train: list[Example]) -> None:
    """The shared recordings and notes are a last check, never a tuning set: none of their sentences may be a
    training example. A lone answer word ("确认", "yes") is the intent's own word, not a sentence."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    said = [str(c.get("text") or c.get("transcript") or "")
            for c in json.loads((fixtures / "voice/manifest.json").read_text(encoding="utf-8"))]
    written = [line for n in json.loads((fixtures / "notes/manifest.json").read_text(encoding="utf-8"))
               for line in n["lines"]]
    sentences = {_plain(s) for s in [*said, *written]
                 if (len(s.split()) > 1 if s.isascii() else len(s) > 2)}
    assert len(sentences) >= 20
    leaked = sorted(e.text for e in train if _plain(e.text) in sentences)
    assert not leaked, leaked


def test_out_of_scope_dev_set_is_not_training_data(train: list[Example]) -> None:
    """The out-of-scope dev set measures what the model was not shown."""
    from bench.devsets.scope import generate

    cases = generate()
    assert len(cases) >= 200 and len({c.text for c in cases}) == len(cases)
    trained = {_plain(e.text) for e in train}
    assert not [c.text for c in cases if _plain(c.text) in trained]
