"""Section F of CLAIMS.md: how processes talk, and how fast they can move bytes between them."""
from __future__ import annotations

from ...claims import Claim
from ...claims.expect import about_subinterpreters, always, needs_subinterpreters
from ...core.labels import fmt_bytes
from ...core.runtime import Runtime
from ...core.verdicts import Expectation, HOLDS, INCONCLUSIVE, MACHINE_DEPENDENT, REFUTED


def _one_physical_copy(runtime: Runtime, case=None) -> Expectation:
    """Visibility across processes is testable anywhere; the frame only where pagemap shows it. (Case ids:
    ``<way>-writes-visible``, ``control-private-copy-writes-visible`` …)"""
    if (case or "").endswith("writes-visible"):
        return Expectation(HOLDS)
    if not runtime.platform.startswith("Linux"):
        return Expectation(INCONCLUSIVE, "physical frames are read from /proc/PID/pagemap, which is "
                                         "Linux-only", testable=False)
    if runtime.physical_frames:  # the fingerprint says why this process cannot read them
        return Expectation(INCONCLUSIVE, runtime.physical_frames, testable=False)
    return Expectation(HOLDS, "both mappings point at the same page of /dev/shm")


def _queue_order(runtime: Runtime, case=None) -> Expectation:
    """A multiprocessing Queue under every start method; and, as a related finding, a
    concurrent.interpreters Queue (3.14+) between sub-interpreters."""
    if about_subinterpreters(case):
        return needs_subinterpreters(runtime) or Expectation(
            HOLDS, "a concurrent.interpreters Queue is one FIFO list in the process, each put appended under "
                   "its lock: one producer's items leave in the order it put them")
    return Expectation(HOLDS)


# The notes' own program (`while True: q.get(True)`), under every start method.
NOTES_READER_CASES = {
    "join-timeout": "join() cannot wait for a loop that never ends",
    "terminate": "terminate() ends it with SIGTERM, whose default action no Python code overrides here",
}
# Related findings, each with its own verdict: what a safer program does, and what forcing costs.
RELATED_READER_CASES = {
    "sentinel": "a safer program puts a sentinel after the last item: the reader returns by itself and "
                "join() waits for it",
    "event": "a safer program has the reader check an Event between timed reads: setting it ends the reader",
    "daemon": "daemon=True is terminate() again, sent by the parent's exit handler: no join, no clean end",
    "terminate-writer": "put() only hands an item to a feeder thread; with the pipe full and nobody reading, "
                        "what the thread still holds dies with the writer",
    "terminate-reader": "get() holds the queue's read lock while it waits; a reader terminated there never "
                        "releases it",
}


def _endless_reader(runtime: Runtime, case=None) -> Expectation:
    name = case or ""
    for finding, reason in RELATED_READER_CASES.items():
        if name == finding:
            return Expectation(HOLDS, reason)
    for notes_case, reason in NOTES_READER_CASES.items():
        if name.endswith(notes_case):
            return Expectation(HOLDS, reason)
    return Expectation(HOLDS, "the notes' reader never ends by itself, and terminate() ends it")



ABOVE = "above-crossover"
BELOW = "below-crossover"
COPY_OUT = "copy-out"
LARGEST = 64 << 20  # the sweep's largest payload (experiments/test_ipc_throughput.py)


# Why a round trip through a concurrent.interpreters Queue loses (Lib/concurrent/interpreters/_queues.py,
# the same in 3.14 and 3.15): bytes are shareable, so the payload crosses without pickling or a system
# call, but get() does not sleep until an item arrives: while the queue is empty it sleeps 10 ms and
# looks again.
INTERPRETER_QUEUE_POLLS = (
    "a concurrent.interpreters Queue carries bytes without pickling them or a system call (they are "
    "shareable: copied once into a new bytes object), but its get() does not wait for a wake-up: while the "
    "queue is empty it sleeps 10 ms and looks again (Queue.get, _delay), so every round trip waits out at "
    "least one such sleep, where a Pipe's or a Queue's receiver is woken as the bytes arrive")


def copy_routine(runtime: Runtime) -> str:
    """What decides the copy-out finding on this runtime: the C library's copy routine, as the
    fingerprint names it (its non-temporal threshold, where the loader could ask for it)."""
    libc = runtime.libc or "the C library"
    nontemporal = runtime.nontemporal_copy_bytes
    if nontemporal is None:
        return (f"how {libc} copies blocks of {fmt_bytes(LARGEST)} (through the cache, or past it with non-temporal "
                "stores) is not known on this runtime")
    if nontemporal < LARGEST:
        return (f"this runtime's C library ({libc}) copies blocks of {fmt_bytes(nontemporal)} and more with "
                f"non-temporal stores, past the cache: the two copies of {fmt_bytes(LARGEST)} run as fast as this CPU "
                "makes such stores, a Pipe's are the kernel's")
    return (f"this runtime's C library ({libc}) copies blocks under {fmt_bytes(nontemporal)} through the cache: the "
            f"two copies of {fmt_bytes(LARGEST)} run at the speed of this CPU's caches and memory, a Pipe's are the "
            "kernel's")


def _throughput(runtime: Runtime, case=None) -> Expectation:
    if about_subinterpreters(case):
        return needs_subinterpreters(runtime) or Expectation(REFUTED, INTERPRETER_QUEUE_POLLS)
    if case == COPY_OUT:
        return Expectation(MACHINE_DEPENDENT, "the receiver's copy out of the block and the sender's copy in, "
                           "two memcpy against the kernel's two copies, are decided by the C library's copy "
                           "routine: " + copy_routine(runtime) + "; the measurement decides")
    if case == BELOW:
        return Expectation(REFUTED, "a small payload costs no more to copy than the message that tells the "
                                    "other process it is there, and shared memory needs that message too")
    return Expectation(HOLDS, "a Pipe moves a large payload through a kernel buffer of a few pages, a system "
                              "call and a wake-up on either side for each bufferful, and a Queue adds pickling "
                              "and a feeder thread; shared memory copies it into the block once, with one short "
                              "message, and the receiver reads it in place: past some size, which is measured, "
                              "those per-bufferful costs lose")


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
        expect=_queue_order,
    ),
    Claim(
        id="endless-reader-must-terminate",
        section="F",
        quote="pr进程里是死循环，无法等待其结束，只能强行终止",
        statement="The notes' reader, `while True: q.get(True)`, cannot be joined (join(timeout) returns "
                  "with it alive) and is ended by terminate() (exit code -SIGTERM).",
        expect=_endless_reader,
        note="That holds for the notes' program. Related findings say what a safer program does: a sentinel "
             "or an Event ends a changed reader by itself, daemon=True is terminate() at the parent's exit; "
             "and what forcing costs: terminating a writer loses the items its feeder thread held, "
             "terminating a reader inside get() leaves the queue's read lock held.",
    ),
    Claim(
        id="ipc-throughput-ranks",
        section="F",
        quote="管道、消息队列、共享内存（不同虚拟地址和同一物理地址的映射）",
        statement="For large payloads, shared memory moves bytes between processes faster than a Pipe or a "
                  "Queue (by at least half as much again): from a crossover size, which is measured, up to 64 MiB.",
        expect=_throughput,
        note="The notes imply this (shared memory avoids copies) without saying it. Each transfer ends when "
             "the receiving process has the payload (it can read any byte of it without another transfer) and "
             "has acknowledged it: for Pipe and Queue the bytes object received; for shared memory the "
             "sender's copy into the block and the receiver touching every page of it in place. Related "
             "findings: payloads under 64 KiB (fixed in advance); the receiver copying the payload out of the "
             "block (decided by the C library's copy routine, machine-dependent); round trips through a "
             "concurrent.interpreters Queue (3.14+) to a sub-interpreter, against a Pipe and a Queue.",
    ),
)
