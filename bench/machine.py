"""Which machine a benchmark ran on: the CPU model and the vector extensions that decide CTranslate2's and ONNX
Runtime's kernels (int8 speed and even a transcript differ between AVX2-only and AVX-512/VNNI CPUs)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu() -> str:
    model, flags = platform.processor() or platform.machine(), set[str]()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = [f for f in _FLAGS if f in flags]
    limited = os.environ.get("ONEDNN_MAX_CPU_ISA")  # oneDNN (CTranslate2's int8 GEMM) told to use less than it has
    return f"{model} ({', '.join(wanted) or 'no AVX2'}; {os.cpu_count()} cores" + \
        (f"; oneDNN limited to {limited}" if limited else "") + ")"
