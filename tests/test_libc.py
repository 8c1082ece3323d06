"""claimbench.core.libc: the C library's large-copy facts, read from what the loader prints."""
from __future__ import annotations

from claimbench.core import libc

MAPS = """\
55d0c0a00000-55d0c0a2c000 r--p 00000000 08:01 1 /usr/bin/python3.14
7f1e2c000000-7f1e2c028000 r--p 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libc.so.6
7f1e2c400000-7f1e2c402000 r--p 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0 [stack]
"""


def test_loader_path():
    assert libc.loader_path(MAPS) == "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    assert libc.loader_path("7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0 [stack]\n") is None


def test_parse_threshold():
    text = ("glibc.cpu.x86_rep_movsb_threshold: 0x1800000 (min: 0x100, max: 0xffffffffffffffff)\n"
            "glibc.cpu.x86_non_temporal_threshold: 0x1800000 (min: 0x4040, max: 0xfffffffffffffff)\n")
    assert libc.parse_threshold(text) == 24 << 20
    assert libc.parse_threshold("glibc.malloc.arena_max: 0x0\n") is None


def test_this_process_answers_or_says_none():
    version, threshold = libc.copy_facts()
    assert version is None or version.split()[0] in ("glibc", "musl")
    assert threshold is None or threshold > 0
