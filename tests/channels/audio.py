"""What the chat platforms hand out for a voice message: AMR-NB, 8 kHz mono (made here from a WAV fixture)."""

from __future__ import annotations

import io
from pathlib import Path

import av


def amr_from_wav(wav: Path) -> bytes:
    out = io.BytesIO()
    with av.open(str(wav)) as source, av.open(out, mode="w", format="amr") as target:
        stream = target.add_stream("libopencore_amrnb", rate=8000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        for frame in source.decode(audio=0):
            for converted in resampler.resample(frame):
                for packet in stream.encode(converted):
                    target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()
