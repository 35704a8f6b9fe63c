"""The real Whisper on the real fixtures, then correction, then the assistant's extractor.

CTranslate2's int8 kernels differ between CPUs, so the same code hears a clip a little differently on the next
machine: these tests guard the mechanism and against gross regressions, with a margin; the accuracy figures
themselves are measured by the benchmark (`python -m bench.speech`, docs/benchmarks.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.language.extract import extract_mentions
from assistant.language.resolve import Match, Resolution, Resolver
from assistant.language.vocabulary import Vocabulary
from speech import SpeechService, Transcript
from tests.speech.conftest import SITES, wav

COMMAND_WORDS = {"affirm": ("确认", "yes"), "cancel": ("取消", "cancel")}
GROSS_REGRESSION = 3  # clips of a set a CPU difference may cost before this test objects (~25 %)


def _code(resolution: Resolution | None) -> str | None:
    return resolution.code if isinstance(resolution, Match) else None


def understood(text: str, expect: dict[str, Any], site: str, vocabulary: Vocabulary, resolver: Resolver) -> bool:
    """The manifest's item, destination, customer and amount come out of the text (codes and quantity)."""
    m = extract_mentions(text, vocabulary, resolver, site, date(2026, 1, 1))
    checks = [
        "item" not in expect or (m.item is not None and _code(m.item.resolution) == expect["item"]),
        "to" not in expect or (m.destination is not None and _code(m.destination.resolution) == expect["to"]),
        "customer" not in expect or (m.customer is not None and _code(m.customer.resolution) == expect["customer"]),
        "qty_base" not in expect or m.amount is not None,
    ]
    words = COMMAND_WORDS.get(expect["intent"])
    if words:
        checks.append(any(w in text.lower() for w in words))
    return all(checks)


@pytest.fixture(scope="module")
async def transcripts(service: SpeechService, manifest: list[dict[str, Any]]) -> dict[str, Transcript]:
    out: dict[str, Transcript] = {}
    for entry in manifest:
        for suffix in ("", "_noisy"):
            name = entry["id"] + suffix
            out[name] = await service.transcribe(wav(f"{name}.wav"), "audio/wav", entry["lang"], SITES[entry["device"]])
    return out


@pytest.mark.parametrize(("lang", "suffix"), [("zh", ""), ("zh", "_noisy"), ("en", ""), ("en", "_noisy")])
def test_recognition_meets_targets(transcripts: dict[str, Transcript], manifest: list[dict[str, Any]],
                                   vocabulary: Vocabulary, resolver: Resolver, lang: str, suffix: str) -> None:
    raw_ok = corrected_ok = 0
    report = []
    entries = [e for e in manifest if e["lang"] == lang]
    for entry in entries:
        t = transcripts[entry["id"] + suffix]
        site = SITES[entry["device"]]
        r = understood(t.raw, entry["expect"], site, vocabulary, resolver)
        c = understood(t.text_for_nlu, entry["expect"], site, vocabulary, resolver)
        raw_ok += r
        corrected_ok += c
        report.append(f"{entry['id']}{suffix}: {t.raw!r} -> {t.corrected!r} ({t.confidence}) {'ok' if c else 'MISS'}")
    print(f"\n{lang}{suffix or '_clean'}: raw {raw_ok}/{len(entries)}, corrected {corrected_ok}/{len(entries)}")
    print("\n".join(report))
    assert corrected_ok >= len(entries) - GROSS_REGRESSION, "\n".join(report)
    assert corrected_ok >= raw_ok - 1  # correction must not cost more than a clip


def test_traditional_output_is_simplified(transcripts: dict[str, Transcript]) -> None:
    for name, t in transcripts.items():
        if name.startswith("zh"):
            assert not set(t.corrected) & set("調撥總裝線艦")
            assert t.language == "zh" and t.engine == "whisper" and not t.no_speech


async def test_language_detected_without_hint(service: SpeechService) -> None:
    t = await service.transcribe(wav("en02.wav"), "audio/wav", None, "DG")
    assert t.language == "en"
    assert "connecting rod" in t.corrected.lower()
