"""The receiving end of the throughput sweep: one process for every mechanism (Pipe, Queue, shared
memory touched in place or copied out), acknowledging each payload once it has it."""
from __future__ import annotations

from typing import Optional

from ....core.pagemap import PAGE_SIZE
from ....core.workloads import CHILD_WAIT_S
from .echoes import attach_shared_memory


def touch_pages(buf, n: int) -> int:
    """Read one byte of every page of ``buf[:n]`` in place (a strided view, copied a byte a page): what
    a receiver does to *have* a payload it can read any byte of, every page fault paid, without copying
    it. Returns how many pages it read."""
    return len(bytes(buf[0:n:PAGE_SIZE]))


def transfer_sink(byte_pipes, queue, queue_ack, touch_ctl, copy_ctl, shm_name: Optional[str]) -> None:
    """One receiving process for every mechanism, so that they share its CPU and its
    wake-ups. Acknowledges each payload on the channel's own connection:

    - each of ``byte_pipes``: the payload's bytes themselves (empty bytes: stop);
    - ``queue``: the payload put on a multiprocessing.Queue, acknowledged on ``queue_ack``;
    - ``touch_ctl``: the length of a payload written into the SharedMemory block named
      ``shm_name``; the sink reads one byte of every page of it in place (0: stop). The claim:
      the block is shared, so the receiver has the payload without a copy of its own;
    - ``copy_ctl``: the same, but the sink copies the payload out into a bytes object of its own
      (the related finding: two memcpy against the kernel's two copies). None: not measured.

    Pipe and Queue receivers end with the whole payload in a bytes object, as ``recv_bytes`` and
    ``get`` hand it over: for them that is the only way to have it.
    """
    from multiprocessing.connection import wait

    block = attach_shared_memory(shm_name) if shm_name is not None else None
    reader = queue._reader  # the Queue's receiving end, to wait on it beside the pipes
    copies = {c: c is copy_ctl for c in (touch_ctl, copy_ctl) if c is not None}
    open_ends = set(byte_pipes) | {reader} | set(copies)
    try:
        while open_ends:
            ready = wait(list(open_ends), CHILD_WAIT_S)
            if not ready:
                break
            for end in ready:
                if end is reader:
                    if queue.get(timeout=CHILD_WAIT_S) is None:
                        open_ends.discard(reader)
                        continue
                    queue_ack.send_bytes(b"k")
                elif end in copies:
                    n = int(end.recv_bytes())
                    if not n:
                        open_ends.discard(end)
                        continue
                    if copies[end]:
                        # Copied out and dropped at once, as the other receivers drop theirs: a copy
                        # kept until the next message would charge its free to the next transfer.
                        got = len(bytes(block.buf[:n]))
                    else:
                        got = n if touch_pages(block.buf, n) == -(-n // PAGE_SIZE) else -1
                    if got != n:
                        raise RuntimeError(f"the block held {got} bytes, not {n}")
                    end.send_bytes(b"k")
                else:
                    if not end.recv_bytes():
                        open_ends.discard(end)
                        continue
                    end.send_bytes(b"k")
    finally:
        if block is not None:
            block.close()
