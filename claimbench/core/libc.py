"""What the C library does with a large copy: which libc this process runs on and the size from
which its memcpy stores past the cache (glibc's ``x86_non_temporal_threshold``).

A copy of a block larger than that threshold runs at the speed this CPU gives non-temporal
stores, which may be far below a cached copy's (seen: half of it on a 2-core AMD EPYC VM, with
glibc 2.43's threshold of 24 MiB against 2.36's 192 MiB). Shared memory is copied in and out
with memcpy; a Pipe's bytes are copied by the kernel. Standard library only; Linux with glibc
answers, elsewhere the facts are None.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import lru_cache
from typing import Optional, Tuple

TUNABLE = "glibc.cpu.x86_non_temporal_threshold"


def libc_version() -> Optional[str]:
    """``glibc 2.43``; None where the C library does not say."""
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        return None
    return text or None


def loader_path(maps_text: str) -> Optional[str]:
    """The dynamic loader mapped into a process, from its ``/proc/<pid>/maps`` text."""
    for line in maps_text.splitlines():
        path = line.split(None, 5)[5].strip() if len(line.split(None, 5)) == 6 else ""
        if re.search(r"/ld-linux[^/]*\.so(\.\d+)*$", path) or re.search(r"/ld-[0-9.]+\.so$", path):
            return path
    return None


def parse_threshold(tunables_text: str) -> Optional[int]:
    """The non-temporal threshold's value from ``ld.so --list-tunables``; None where absent."""
    m = re.search(r"^" + re.escape(TUNABLE) + r":\s*(0x[0-9a-fA-F]+|\d+)", tunables_text, re.M)
    return int(m.group(1), 0) if m else None


@lru_cache(maxsize=None)
def nontemporal_threshold() -> Optional[int]:
    """Bytes from which this process's memcpy uses non-temporal stores (glibc on x86 only); asked of
    the loader once per process (the fingerprint is taken by the plugin and by experiment modules)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/self/maps") as f:
            loader = loader_path(f.read())
    except OSError:
        return None
    if not loader or not os.access(loader, os.X_OK):
        return None
    try:  # the environment's GLIBC_TUNABLES, if any, is what this process runs with too
        done = subprocess.run([loader, "--list-tunables"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              universal_newlines=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_threshold(done.stdout) if done.returncode == 0 else None


def copy_facts() -> Tuple[Optional[str], Optional[int]]:
    return libc_version(), nontemporal_threshold()
