"""The dialogue on its dev sets, through the turn API and the real Rasa server: commands understood as what they
are, and out-of-scope sentences opening nothing.

    .venv/bin/python -m bench.dialogue_accuracy [--limit N]

Commands are the voice dev set's sentences as a perfect transcript would read (`bench.devsets.voice`: transfers,
sales, stock questions, AGV calls, yes/no/cancel in Mandarin and English) and the steel trader's orders
(`bench.devsets.steel`: tonnes, sizes, delivery deadlines); a command counts as understood when the
turn's intent is the sentence's and the entities the dialogue was handed name the sentence's item, places and
customer (the quantities are scored on the same sentences by `bench.voice_accuracy`'s text ceiling); what the
ledger then answers (a read-back, a question, "not enough stock") is not judged here. Out-of-scope sentences
(`bench.devsets.scope`) count as right when nothing opens: no form, no read-back, nothing awaited. Each sentence
starts a new conversation."""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.world.loader import load_world
from bench.devsets import scope, steel, voice
from bench.machine import cpu
from server.app import create_app
from server.launch import prepare_model, rasa_server
from server.settings import REPO_ROOT, Settings
from tests.support import free_port, issue, serve

# A device per site whose worker may do every command there, so a refusal never hides a misunderstanding.
_DEVICE_BY_SITE = {"DG": "PAD-DG", "FZ": "PAD-01", "FS": "PAD-FS-MGR"}


@dataclass(frozen=True, slots=True)
class DialogueScore:
    set: str    # "commands" or "out-of-scope"
    lang: str
    text: str
    expected: str
    intent: str | None
    awaiting: str | None
    right: bool


@dataclass(frozen=True, slots=True)
class DialogueReport:
    scores: tuple[DialogueScore, ...]

    def rate(self, which: str, lang: str | None = None) -> tuple[int, int]:
        chosen = [s for s in self.scores if s.set == which and (lang is None or s.lang == lang)]
        return sum(s.right for s in chosen), len(chosen)

    def forms_opened_out_of_scope(self) -> int:
        return sum(1 for s in self.scores if s.set == "out-of-scope" and s.awaiting is not None)


def _judge_command(expect: voice.Expect, body: dict[str, Any]) -> bool:
    """The turn's intent is the sentence's, and what the dialogue was handed names the sentence's item, places
    and customer (whatever the ledger then says of it: a read-back, a question, or "not enough stock")."""
    if (body.get("intent") or {}).get("utterance") != expect.intent:
        return False
    named = {(e.get("entity"), e.get("role"), e.get("value")) for e in body.get("entities") or []}
    wanted = [("item", None, expect.item), ("location", None, expect.to), ("location", "source", expect.source),
              ("customer", None, expect.customer)]
    return all(code is None or (kind, role, code) in named for kind, role, code in wanted)


def evaluate(limit: int | None = None, progress: Callable[[str], None] = print, only_steel: bool = False
             ) -> DialogueReport:
    """Start a stack on loopback (SQLite in a temp dir), send every sentence in a new conversation, score it.
    `only_steel`: the steel trader's slice alone."""
    settings_for_model = Settings(var_dir=REPO_ROOT / "var")
    world = load_world(settings_for_model.world_path)
    commands = steel.generate(world) if only_steel else voice.generate(world) + steel.generate(world)
    outside = () if only_steel else scope.generate()
    if limit is not None:
        commands, outside = commands[:limit], outside[:limit]
    built, model = prepare_model(settings_for_model)
    app_port, rasa_port = free_port(), free_port()
    scores: list[DialogueScore] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), port=app_port, secret="bench", rasa_url=f"http://127.0.0.1:{rasa_port}",
                            start_agv_sim=False, turns_per_second=1000, turn_burst=1000, rasa_startup_timeout_s=900)
        with serve(create_app(settings), app_port) as url, rasa_server(settings, built, model) as rasa, \
                httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
            headers = {d: {"Authorization": f"Bearer {issue(settings, d)}"} for d in _DEVICE_BY_SITE.values()}
            secret = {"X-Frontline-Secret": settings.rasa_channel_secret()}
            cases: list[tuple[str, str, str, voice.Expect | None, str]] = [
                ("commands", c.lang, c.text, c.expect, _DEVICE_BY_SITE[c.site]) for c in commands] + [
                ("out-of-scope", c.lang, c.text, None, "PAD-DG") for c in outside]
            for n, (which, lang, text, expect, device) in enumerate(cases, 1):
                httpx.post(f"{rasa.url}/webhooks/frontline/conversation/{device}/reset", headers=secret,
                           timeout=10).raise_for_status()
                body = client.post("/api/v1/turns", json={"text": text}, headers=headers[device]).json()
                intent = (body.get("intent") or {}).get("name")
                awaiting = body.get("awaiting")
                right = (_judge_command(expect, body) if expect is not None
                         else awaiting is None and not body.get("draft"))
                expected = expect.intent if expect is not None else "out_of_scope"
                scores.append(DialogueScore(which, lang, text, expected, intent, awaiting, right))
                if n % 50 == 0 or n == len(cases):
                    progress(f"dialogue: {n}/{len(cases)}")
    return DialogueReport(tuple(scores))


def print_report(report: DialogueReport) -> None:
    print("| set | language | right | rate |\n| --- | --- | --- | --- |")
    for which in ("commands", "out-of-scope"):
        for lang in ("zh", "en", None):
            right, total = report.rate(which, lang)
            if total:
                print(f"| {which} | {lang or '**all**'} | {right}/{total} | {100 * right / total:.1f} % |")
    print(f"\nOut-of-scope sentences that opened a form or a question: {report.forms_opened_out_of_scope()}")
    wrong = Counter((s.set, s.expected, s.intent) for s in report.scores if not s.right)
    if wrong:
        print("\nMisses (set, expected, got): " + "; ".join(f"{k} ×{v}" for k, v in wrong.most_common(12)))
        for s in [s for s in report.scores if not s.right][:15]:
            print(f"  - [{s.set}/{s.lang}] {s.text!r}: intent {s.intent}, awaiting {s.awaiting}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N sentences of each set")
    parser.add_argument("--steel", action="store_true", help="only the steel trader's orders")
    args = parser.parse_args()
    print(f"CPU: {cpu()}")
    print_report(evaluate(args.limit, only_steel=args.steel))


if __name__ == "__main__":
    main()
