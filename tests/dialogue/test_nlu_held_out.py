"""The trained model on the held-back split (never trained on), through the real Rasa server."""

from __future__ import annotations

import pytest

from assistant.nlu.evaluate import evaluate
from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa


def test_held_out_intents_and_entities(stack: Stack) -> None:
    report = evaluate(f"{stack.rasa_url}/webhooks/frontline/parse", stack.built.test_files,
                      headers={"X-Frontline-Secret": stack.settings.rasa_channel_secret()})
    print(report.summary())
    assert len(report.misses) < 0.1 * sum(s.total for s in report.per_intent.values())
    assert report.intent_accuracy >= 0.95
    assert report.entity_exact >= 0.90
