"""Section F of CLAIMS.md: how processes talk (ipc-throughput-ranks lives in throughput.py)."""
from __future__ import annotations

from . import Claim
from ._expect import always
from ..runtime import Runtime
from ..verdicts import HOLDS, INCONCLUSIVE, PARTLY, REFUTED, Expectation


def _one_physical_copy(runtime: Runtime, case=None) -> Expectation:
    """Visibility across processes is testable anywhere; the frame only where pagemap shows it."""
    if case == "writes-visible":
        return Expectation(HOLDS)
    if not runtime.platform.startswith("Linux"):
        return Expectation(INCONCLUSIVE, "physical frames are read from /proc/PID/pagemap, which is "
                                         "Linux-only", testable=False)
    from ..probes import pagemap_frames_readable
    readable, why_not = pagemap_frames_readable()
    if not readable:
        return Expectation(INCONCLUSIVE, why_not, testable=False)
    return Expectation(HOLDS, "both mappings point at the same page of /dev/shm")


ENDLESS_READER_CASES = {
    "join-timeout": (HOLDS, "join() cannot wait for a loop that never ends"),
    "terminate": (HOLDS, "terminate() ends it with SIGTERM"),
    "daemon": (HOLDS, "daemon=True is terminate() again, sent by the parent's exit handler"),
    "sentinel": (REFUTED, "a sentinel ends the loop cleanly: forcing is not the only way"),
    "event": (REFUTED, "an Event ends the loop cleanly: forcing is not the only way"),
    "terminate-writer": (REFUTED, "terminating a writer loses the items its feeder thread had not flushed"),
    "terminate-reader": (REFUTED, "terminating a reader inside get() leaves the queue's read lock held"),
}


def _endless_reader(runtime: Runtime, case=None) -> Expectation:
    verdict, reason = ENDLESS_READER_CASES.get(case or "", (
        PARTLY, "terminate() works, but it is not the only way and not the safe one"))
    return Expectation(verdict, reason)


CLAIMS = (
    Claim(
        id="ipc-mechanisms-work",
        section="F",
        quote="管道、消息队列、共享内存、信号量",
        statement="Pipe, Queue, shared_memory, Value/Array carry data between processes both ways, "
                  "and a Semaphore limits how many processes hold it at once.",
        expect=always(HOLDS),
    ),
    Claim(
        id="shared-memory-one-physical-copy",
        section="F",
        quote="共享内存（不同虚拟地址和同一物理地址的映射）",
        statement="A SharedMemory block is one physical copy: a write in one process is read in another, "
                  "at virtual addresses that may differ, on the same physical frames.",
        expect=_one_physical_copy,
    ),
    Claim(
        id="queue-keeps-order",
        section="F",
        quote="Put A to queue... Get A from queue. Put B to queue... Get B from queue.",
        statement="A Queue delivers one producer's items in the order they were put; with several "
                  "producers, each one's order is kept and the interleaving is free.",
        expect=always(HOLDS),
    ),
    Claim(
        id="endless-reader-must-terminate",
        section="F",
        quote="pr进程里是死循环，无法等待其结束，只能强行终止",
        statement="A process reading a queue in an endless loop cannot be joined and can only be "
                  "ended by terminate().",
        expect=_endless_reader,
        note="terminate() is also what daemon=True does at exit; a sentinel or an Event ends the reader "
             "cleanly, and terminate() in the middle of queue traffic loses items.",
    ),
)
