"""Audio in: any container PyAV reads (WAV, OGG/Opus, MP3, AMR, WebM …) → 16 kHz mono 16-bit PCM.

Errors are typed so the API can answer 415 (not audio), 400 (truncated or damaged) or 413 (too big).
"""

from __future__ import annotations

import io

import av
import av.error
import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from speech.errors import AudioCorrupt, AudioTooLarge, AudioTooLong, AudioUnsupported

SAMPLE_RATE = 16_000
Pcm = npt.NDArray[np.int16]

# Magic numbers of containers we accept: a file that starts like one of these but does not decode is
# damaged (400), anything else that does not decode is not audio (415).
_MAGIC: tuple[tuple[int, bytes], ...] = (
    (0, b"RIFF"), (0, b"OggS"), (0, b"ID3"), (0, b"#!AMR"), (0, b"\x1a\x45\xdf\xa3"),
    (0, b"fLaC"), (4, b"ftyp"), (0, b"\xff\xf1"), (0, b"\xff\xf9"),
)
# Raw PCM has no header: the client must say so in the content type.
_RAW_TYPES = ("audio/l16", "audio/pcm", "audio/x-raw", "application/octet-stream;pcm")
# A declared duration this much longer than what decoded means the file was cut short.
_TRUNCATION_SLACK_S = 0.25


class AudioLimits(BaseModel):
    """What one upload may be. A pydantic model: the app's settings nest it (`speech.limits`) and validate it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_duration_s: float = Field(default=30.0, gt=0)


def looks_like_audio_container(data: bytes) -> bool:
    if len(data) >= 2 and data[0] == 0xFF and (data[1] & 0xE0) == 0xE0:
        return True  # MPEG audio frame sync (MP3 without ID3 tag)
    return any(data[offset:offset + len(magic)] == magic for offset, magic in _MAGIC)


def raw_pcm_rate(content_type: str | None) -> int | None:
    """The sample rate of a raw 16-bit PCM upload ("audio/l16; rate=8000"), None when not raw PCM."""
    if not content_type:
        return None
    parts = [p.strip().lower() for p in content_type.split(";")]
    if parts[0] not in _RAW_TYPES:
        return None
    for p in parts[1:]:
        if p.startswith("rate="):
            try:
                return int(p[5:])
            except ValueError as exc:
                raise AudioUnsupported(f"bad sample rate in content type {content_type!r}") from exc
    return SAMPLE_RATE


def decode(data: bytes, content_type: str | None = None, limits: AudioLimits | None = None) -> Pcm:
    """Decode an uploaded file to 16 kHz mono int16 samples."""
    limits = limits or AudioLimits()
    if len(data) > limits.max_bytes:
        raise AudioTooLarge(f"audio is {len(data)} bytes, the limit is {limits.max_bytes}")
    if not data:
        raise AudioUnsupported("empty body")
    rate = raw_pcm_rate(content_type)
    if rate is not None:
        if len(data) % 2:
            raise AudioCorrupt("raw 16-bit PCM with an odd number of bytes")
        pcm = resample(np.frombuffer(data, dtype="<i2").astype(np.int16), rate)
        _check_duration(len(pcm), limits)
        return pcm
    return _decode_container(data, limits)


def _wav_truncated(data: bytes) -> bool:
    """FFmpeg derives a WAV's duration from the file size, so a cut-off upload decodes "fine": compare
    the size the RIFF header declares for the data chunk with the bytes that are there."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return False
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if chunk == b"data":
            # 0 and 0xFFFFFFFF are written by streaming writers that do not know the length.
            return size not in (0, 0xFFFFFFFF) and pos + 8 + size > len(data)
        pos += 8 + size + (size & 1)
    return True  # no data chunk at all


def _decode_container(data: bytes, limits: AudioLimits) -> Pcm:
    known = looks_like_audio_container(data)
    if _wav_truncated(data):
        raise AudioCorrupt("truncated WAV: the data chunk is shorter than its header says")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, UnicodeDecodeError) as exc:
        if known:
            raise AudioCorrupt(f"damaged audio file: {exc}") from exc
        raise AudioUnsupported("not an audio file PyAV can read") from exc
    with container:
        if not container.streams.audio:
            raise AudioUnsupported("the file has no audio stream")
        stream = container.streams.audio[0]
        declared = float(container.duration) / av.time_base if container.duration else None
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[Pcm] = []
        total = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.int16)
                    chunks.append(chunk)
                    total += len(chunk)
                    _check_duration(total, limits)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.int16))
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioCorrupt(f"audio could not be decoded: {exc}") from exc
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    if not len(pcm):
        raise AudioCorrupt("the file holds no decodable audio")
    got = len(pcm) / SAMPLE_RATE
    if declared is not None and got < declared - _TRUNCATION_SLACK_S and got < 0.9 * declared:
        raise AudioCorrupt(f"truncated audio: {got:.2f} s decoded of {declared:.2f} s declared")
    return pcm


def _check_duration(samples: int, limits: AudioLimits) -> None:
    if samples > limits.max_duration_s * SAMPLE_RATE:
        raise AudioTooLong(f"audio is longer than {limits.max_duration_s:g} s")


def resample(pcm: Pcm, rate: int) -> Pcm:
    """Mono int16 at `rate` → 16 kHz (streaming clients may send 8, 44.1 or 48 kHz)."""
    if rate == SAMPLE_RATE or not len(pcm):
        return pcm
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, dtype=np.int16)


def pcm_bytes(pcm: Pcm) -> bytes:
    return pcm.astype("<i2").tobytes()


def wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    """16-bit mono PCM wrapped as a WAV file (a streamed utterance, kept as its recording)."""
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return out.getvalue()
