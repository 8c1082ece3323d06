"""Physical frames of this process's pages, from /proc/self/pagemap (Linux): what tells one
shared block from two copies. Standard library only; child processes import it, and so does the
runtime fingerprint (whether this process may read frame numbers at all).
"""
from __future__ import annotations

import mmap
import os
from functools import lru_cache
from typing import List, Optional, Tuple

PAGE_SIZE = mmap.PAGESIZE
PFN_MASK = (1 << 55) - 1
PRESENT = 1 << 63


def buffer_address(buf) -> int:
    """The virtual address of a writable buffer (a memoryview of a mapping) in this process."""
    import ctypes
    view = ctypes.c_char.from_buffer(buf)
    try:
        return ctypes.addressof(view)
    finally:
        del view  # release the export, or the mapping cannot be closed


def pagemap_entry(entry: int) -> Tuple[bool, int]:
    """(present, frame number) from one 64-bit /proc/PID/pagemap entry."""
    return bool(entry & PRESENT), entry & PFN_MASK


def page_frames(address: int, pages: int, pagemap: str = "/proc/self/pagemap") -> List[Optional[int]]:
    """Physical frame numbers of ``pages`` pages from ``address``: None where not present.

    The kernel gives 0 instead of the frame to a reader without CAP_SYS_ADMIN.
    """
    import struct
    frames: List[Optional[int]] = []
    with open(pagemap, "rb") as f:
        f.seek(address // PAGE_SIZE * 8)
        raw = f.read(8 * pages)
    for (entry,) in struct.iter_unpack("<Q", raw):
        present, pfn = pagemap_entry(entry)
        frames.append(pfn if present else None)
    return frames


@lru_cache(maxsize=None)
def pagemap_frames_readable() -> Tuple[bool, str]:
    """Whether this process can read physical frame numbers: (yes/no, why not)."""
    if not os.path.exists("/proc/self/pagemap"):
        return False, "no /proc/self/pagemap on this platform"
    m = mmap.mmap(-1, PAGE_SIZE)
    try:
        m[0:1] = b"x"  # fault the page in
        try:
            frames = page_frames(buffer_address(m), 1)
        except OSError as exc:
            return False, f"/proc/self/pagemap is unreadable: {exc}"
    finally:
        m.close()
    if frames[0] is None:
        return False, "pagemap shows a touched page as not present"
    if frames[0] == 0:
        return False, "pagemap gives frame number 0: the reader lacks CAP_SYS_ADMIN"
    return True, ""
