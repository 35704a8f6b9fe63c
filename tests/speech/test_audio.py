"""Decoding every container we accept, made at test time with PyAV from a fixture WAV, and every way
an upload can be bad."""

from __future__ import annotations

import io
from typing import Any

import av
import numpy as np
import pytest

from speech import AudioCorrupt, AudioLimits, AudioTooLarge, AudioTooLong, AudioUnsupported, SpeechService
from speech.audio import SAMPLE_RATE, decode
from tests.speech.conftest import wav

# (container format, codec, sample rate, layout)
CONTAINERS = {
    "ogg-opus": ("ogg", "libopus", 48000, "mono"),
    "mp3": ("mp3", "libmp3lame", 44100, "stereo"),
    "webm-opus": ("webm", "libopus", 48000, "mono"),
    "amr": ("amr", "libopencore_amrnb", 8000, "mono"),   # WeChat voice messages
    "wav-48k-stereo": ("wav", "pcm_s16le", 48000, "stereo"),
}


def encode(pcm: np.ndarray, fmt: str, codec: str, rate: int, layout: str) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=fmt) as out:
        stream: Any = out.add_stream(codec, rate=rate)
        stream.layout = layout
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


@pytest.fixture(scope="module")
def source() -> np.ndarray:
    return decode(wav("zh05.wav"))


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_containers_decode_to_16k_mono(source: np.ndarray, name: str) -> None:
    data = encode(source, *CONTAINERS[name])
    pcm = decode(data)
    assert pcm.dtype == np.int16
    assert abs(len(pcm) - len(source)) < 0.15 * SAMPLE_RATE  # codec padding only
    assert np.abs(pcm).max() > 1000


async def test_wechat_amr_is_transcribed(service: SpeechService, source: np.ndarray) -> None:
    amr = encode(decode(wav("zh01.wav")), *CONTAINERS["amr"])
    t = await service.transcribe(amr, "audio/amr", "zh", "DG")
    print(t.raw, "->", t.corrected)
    assert "调拨" in t.corrected and "曲轴" in t.corrected  # 8 kHz narrowband still carries the command


def test_raw_pcm_needs_its_content_type(source: np.ndarray) -> None:
    raw = source.astype("<i2").tobytes()
    assert len(decode(raw, "audio/l16; rate=16000")) == len(source)
    assert abs(len(decode(np.repeat(source, 3).astype("<i2").tobytes(), "audio/L16;rate=48000")) - len(source)) < 50
    with pytest.raises(AudioUnsupported):
        decode(raw, "audio/wav")  # no header: not something we can read


@pytest.mark.parametrize("data", [b"", b"hello, this is text", b"<html><body>no</body></html>", b"\x00" * 4096])
def test_not_audio_is_unsupported(data: bytes) -> None:
    with pytest.raises(AudioUnsupported) as err:
        decode(data)
    assert err.value.code == "audio-unsupported"


def test_truncated_wav_is_corrupt() -> None:
    data = wav("zh01.wav")
    with pytest.raises(AudioCorrupt) as err:
        decode(data[: len(data) // 2])
    assert err.value.code == "audio-corrupt"


@pytest.mark.parametrize("name", ["ogg-opus", "webm-opus"])  # zeroed AMR frames are valid (silent) frames
def test_damaged_containers_are_corrupt(source: np.ndarray, name: str) -> None:
    data = encode(source, *CONTAINERS[name])
    with pytest.raises(AudioCorrupt):
        decode(data[:12] + bytes(len(data) - 12))  # right magic, the rest zeroed


def test_limits(source: np.ndarray) -> None:
    data = wav("zh01.wav")
    with pytest.raises(AudioTooLarge) as large:
        decode(data, limits=AudioLimits(max_bytes=1000))
    assert large.value.code == "audio-too-large"
    with pytest.raises(AudioTooLong) as long:
        decode(data, limits=AudioLimits(max_duration_s=1.0))
    assert long.value.code == "audio-too-long"


@pytest.mark.parametrize("kind", ["silence", "noise"])
async def test_silence_and_noise_are_no_speech(service: SpeechService, kind: str) -> None:
    rng = np.random.default_rng(7)
    pcm = np.zeros(2 * SAMPLE_RATE) if kind == "silence" else rng.normal(0, 2000, 2 * SAMPLE_RATE)
    t = await service.transcribe(pcm.astype("<i2").tobytes(), "audio/l16", "zh", "DG")
    assert t.no_speech and t.text_for_nlu == "" and t.low_confidence and t.confidence == 0.0
