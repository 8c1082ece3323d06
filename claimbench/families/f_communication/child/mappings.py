"""Shared memory seen through physical frames (claimbench/core/pagemap.py): the worker that writes
to every page of a block and reports its frames, and the plant, a private block posing as shared."""
from __future__ import annotations

import mmap
import os
from typing import List, Optional

from ....core.pagemap import PAGE_SIZE, buffer_address, page_frames
from .echoes import attach_shared_memory


def shared_memory_frames(name: str, size: int, pattern: bytes, report, attach=None) -> None:
    """Worker: attach a block by name, check its contents, write to every page of it, then
    report its address and frames.

    Writing first is what tells a shared mapping from a private one: a private (copy-on-write)
    mapping shares its frames with the parent only until the child writes, a shared one for good.
    """
    shm = (attach or attach_shared_memory)(name)
    try:
        seen = bytes(shm.buf[:len(pattern)])
        pages = max(1, size // PAGE_SIZE)
        for i in range(pages):
            shm.buf[i * PAGE_SIZE + PAGE_SIZE // 2 + 1] = 2
        shm.buf[size - len(pattern):size] = pattern[::-1]
        address = buffer_address(shm.buf)
        error = ""
        try:
            frames: Optional[List[Optional[int]]] = page_frames(address, pages)
        except OSError as exc:
            frames, error = None, str(exc)
        report.put({"pid": os.getpid(), "address": address, "frames": frames, "error": error,
                    "read_ok": seen == pattern})
    finally:
        shm.close()


PRIVATE_BLOCKS = {}  # name -> PrivateBlock: what a forked child finds "by name"


class PrivateBlock:
    """Plant: a "shared memory" block that is a private copy: an anonymous MAP_PRIVATE mapping,
    which a forked child inherits copy-on-write and "attaches" by name through a registry that
    fork copies. Fork only: the mapping cannot be sent to a spawned child."""

    def __init__(self, create: bool = True, size: int = 0):
        self._map = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
        self.buf = memoryview(self._map)
        self.size = size
        self.name = f"private-{os.getpid()}-{id(self)}"
        PRIVATE_BLOCKS[self.name] = self

    def close(self) -> None:
        self.buf.release()
        self._map.close()

    def unlink(self) -> None:
        PRIVATE_BLOCKS.pop(self.name, None)


def attach_private_block(name: str) -> PrivateBlock:
    return PRIVATE_BLOCKS[name]
