"""The real Whisper on the real fixtures, then correction, then the assistant's extractor.

CTranslate2's int8 kernels differ between CPUs, so the same code hears a clip a little differently on the next
machine: these tests guard the mechanism and against gross regressions, with a margin; the accuracy figures
themselves are measured by the benchmark (`python -m bench.recognition_accuracy`, docs/benchmarks.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.language.reading import MessageReader
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from bench.recognition_accuracy import voice_understood
from speech import SpeechService, Transcript
from tests.speech.conftest import SITES, wav

GROSS_REGRESSION = 3  # clips of a set a CPU difference may cost before this test objects (~25 %)


def understood(text: str, expect: dict[str, Any], site: str, master: MasterData) -> bool:
    """The manifest's fields come out of the assistant's one reading of the words (the benchmark's rule)."""
    return voice_understood(MessageReader(master, today=lambda: date(2026, 1, 1)).read(text, site=site), expect)


@pytest.fixture(scope="module")
async def transcripts(service: SpeechService, manifest: list[dict[str, Any]]) -> dict[str, Transcript]:
    out: dict[str, Transcript] = {}
    for entry in manifest:
        for suffix in ("", "_noisy"):
            name = entry["id"] + suffix
            out[name] = await service.transcribe(wav(f"{name}.wav"), "audio/wav", entry["lang"], SITES[entry["device"]])
    return out


@pytest.mark.parametrize(("lang", "suffix"), [("zh", ""), ("zh", "_noisy"), ("en", ""), ("en", "_noisy")])
def test_recognition_keeps_its_margin(transcripts: dict[str, Transcript], manifest: list[dict[str, Any]],
                                     world: World, lang: str, suffix: str) -> None:
    raw_ok = corrected_ok = 0
    report = []
    master = MasterData(world)
    entries = [e for e in manifest if e["lang"] == lang]
    for entry in entries:
        t = transcripts[entry["id"] + suffix]
        site = SITES[entry["device"]]
        r = understood(t.raw, entry["expect"], site, master)
        c = understood(t.text_for_nlu, entry["expect"], site, master)
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
