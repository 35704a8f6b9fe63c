"""Finals that wait together are decoded in one CTranslate2 call (issue 15): each utterance gets the text it gets
decoded alone, whatever it was batched with (other languages, other prompts), and the batch path is really taken.
No timing here: what batching buys is `bench.headsets`' question."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from speech import SpeechService
from speech.audio import Pcm, decode
from speech.engine import Context, EngineResult
from speech.whisper_engine import WhisperTranscriber, prompted_decode
from tests.speech.conftest import wav

SAME = ("zh01", "zh03", "zh02", "zh04")  # one site, one language: one prompt
MIXED = ("zh01", "en01", "zh03", "en02")


@pytest.fixture(scope="module")
def engine(models_dir: Path) -> WhisperTranscriber:
    # A long collection window so that the threads below surely meet in one batch (a test never races the clock).
    return WhisperTranscriber(models_dir / "whisper-base", batch_wait_s=5.0)


def _together(engine: WhisperTranscriber, jobs: list[tuple[Pcm, Context]]) -> list[EngineResult]:
    """Decode in threads started at once, as the headsets' decodes run (`asyncio.to_thread`)."""
    results: list[EngineResult | None] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(i: int) -> None:
        start.wait()
        results[i] = engine.recognize(*jobs[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]


@pytest.mark.parametrize("n", [2, 4])
def test_utterances_decoded_together_read_as_decoded_alone(engine: WhisperTranscriber, service: SpeechService,
                                                           n: int) -> None:
    jobs = _jobs(engine, service, SAME[:n])
    engine.max_batch = n
    alone = [engine.recognize(pcm, context) for pcm, context in jobs]
    assert all(r.text for r in alone)
    before = engine.batch_sizes[n]
    together = _together(engine, jobs)
    assert engine.batch_sizes[n] == before + 1  # one generate call for all of them
    assert [r.text for r in together] == [r.text for r in alone]
    assert [r.confidence for r in together] == pytest.approx([r.confidence for r in alone], abs=0.02)


def test_languages_batch_apart_and_each_reads_as_alone(engine: WhisperTranscriber, service: SpeechService) -> None:
    """CTranslate2 needs one prompt length in a batch: zh and en prompts (lengths differ) go in a batch each."""
    jobs = _jobs(engine, service, MIXED)
    engine.max_batch = 4
    alone = [engine.recognize(pcm, context) for pcm, context in jobs]
    before = engine.batch_sizes[2]
    together = _together(engine, jobs)
    assert engine.batch_sizes[2] == before + 2
    assert [r.text for r in together] == [r.text for r in alone]
    assert [r.language for r in together] == [r.language for r in alone]


def _jobs(engine: WhisperTranscriber, service: SpeechService, names: tuple[str, ...]) -> list[tuple[Pcm, Context]]:
    jobs = []
    for name in names:
        language = name[:2]
        # The sites' prompts: prompts of different lengths and languages in one batch.
        jobs.append((decode(wav(f"{name}.wav")), Context(language, service._site(language, "DG", engine)[1].prompt)))
    return jobs


def test_one_utterance_is_decoded_alone_as_before(engine: WhisperTranscriber) -> None:
    engine.batch_wait_s = 0.0
    try:
        before = engine.batch_sizes[1]
        result = engine.recognize(decode(wav("zh01.wav")), Context("zh"))
        assert engine.batch_sizes[1] == before + 1 and result.text
    finally:
        engine.batch_wait_s = 5.0


def test_finals_with_closed_domain_rescoring_batch_and_rescore_each(service: SpeechService) -> None:
    """The whole final path (prompt, plain re-decode when doubtful, the site's closed-domain rescoring) from two
    threads at once: each utterance comes out as it does alone."""
    engine = service._engine("zh")
    assert isinstance(engine, WhisperTranscriber)
    jobs = [(decode(wav(f"{name}.wav")), service._site(name[:2], "DG", engine)[1]) for name in ("zh01", "zh03")]
    assert all(context.domain is not None for _, context in jobs)
    alone = [prompted_decode(engine, pcm, context).text for pcm, context in jobs]
    saved = engine.batch_wait_s, engine.max_batch
    engine.batch_wait_s, engine.max_batch = 5.0, 2
    try:
        before = engine.batch_sizes[2]
        results: list[str] = ["", ""]
        start = threading.Barrier(2)

        def run(i: int) -> None:
            start.wait()
            results[i] = prompted_decode(engine, *jobs[i]).text

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engine.batch_wait_s, engine.max_batch = saved
    assert engine.batch_sizes[2] > before
    assert results == alone
