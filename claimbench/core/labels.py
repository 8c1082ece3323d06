"""Names and formats that the measuring code and the report share: the ways of waiting that
coroutines-handle-more-tasks compares, and how sizes and durations are written in evidence.

Standard library only, Python 3.8+: child processes import it, and so do report parts, which
import no child-process code.
"""
from __future__ import annotations

import signal
from typing import Optional

COROUTINES, THREADS, PROCESSES = "coroutines", "threads", "processes"


def bytes_label(n: int) -> str:
    """``100B``, ``10KiB``, ``64MiB``: a payload size as a readable parameter id."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return f"{n}B"


def parse_bytes_label(label: str) -> int:
    """Inverse of ``bytes_label``: ``"64MiB"`` → 67108864."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)):
        if label.endswith(unit):
            return int(label[:-len(unit)]) * size
    raise ValueError(f"not a size: {label!r}")


def fmt_bytes(n: float) -> str:
    """``1.2 KiB``, ``16 MiB``: a memory figure for evidence text."""
    n = float(n)
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.3g} B"


def fmt_seconds(s: float) -> str:
    """``85 µs``, ``2.1 ms``, ``1.3 s``."""
    if s != s:
        return "nan"
    for unit, size in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(s) >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def describe_exitcode(code: Optional[int]) -> str:
    """``-11 (killed by SIGSEGV: Segmentation fault)`` — an exit code with its meaning."""
    if code is None:
        return "None (still running)"
    if code == 0:
        return "0 (clean exit)"
    if code > 0:
        return str(code)
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return f"{code} (killed by signal {-code})"
    meaning = signal.strsignal(-code) if hasattr(signal, "strsignal") else None
    return f"{code} (killed by {name}{': ' + meaning if meaning else ''})"


