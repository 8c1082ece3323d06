"""Section F of CLAIMS.md: how fast processes can move bytes between them."""
from __future__ import annotations

from . import Claim
from ._expect import about_subinterpreters, needs_subinterpreters
from ..runtime import Runtime
from ..labels import fmt_bytes
from ..verdicts import HOLDS, MACHINE_DEPENDENT, REFUTED, Expectation

ABOVE = "above-crossover"
BELOW = "below-crossover"
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


def _throughput(runtime: Runtime, case=None) -> Expectation:
    if about_subinterpreters(case):
        return needs_subinterpreters(runtime) or Expectation(REFUTED, INTERPRETER_QUEUE_POLLS)
    nontemporal = runtime.nontemporal_copy_bytes
    if nontemporal is not None and nontemporal < LARGEST:
        past_cache = ("this runtime's C library ({}) copies blocks of {} and more with non-temporal stores, past "
                      "the cache: shared memory's two copies of the largest payloads (into the block and out of "
                      "it) run as fast as this CPU makes such stores, a Pipe's are the kernel's".format(
                          runtime.libc or "libc", fmt_bytes(nontemporal)))
        if case != BELOW:
            return Expectation(MACHINE_DEPENDENT, past_cache + "; the measurement decides")
        return Expectation(MACHINE_DEPENDENT, past_cache + "; where no crossover is found up to {}, every "
                           "payload counts as below it, those where shared memory wins too".format(fmt_bytes(LARGEST)))
    if case == BELOW:
        return Expectation(REFUTED, "a small payload costs no more to copy than the message that tells the "
                                    "other process it is there, and shared memory needs that message too "
                                    "(and still copies the payload in and out)")
    return Expectation(HOLDS, "a Pipe moves a large payload through a kernel buffer of a few pages, a system "
                              "call and a wake-up on either side for each bufferful, and a Queue adds pickling "
                              "and a feeder thread; shared memory copies it in and out with one short message: "
                              "past some size, which is measured, those per-bufferful costs lose")


CLAIMS = (
    Claim(
        id="ipc-throughput-ranks",
        section="F",
        quote="管道、消息队列、共享内存（不同虚拟地址和同一物理地址的映射）",
        statement="For large payloads, shared memory moves bytes between processes faster than a Pipe or a "
                  "Queue (by at least half as much again): from a crossover size, which is measured, up to 64 MiB.",
        expect=_throughput,
        note="The notes imply this (shared memory avoids copies) without saying it. Each transfer ends when "
             "the receiving process holds the whole payload in a bytes object of its own and has acknowledged "
             "it; for shared memory that is the sender's copy into the block and the receiver's copy out. "
             "Payloads below the crossover are a related finding; so are round trips through a "
             "concurrent.interpreters Queue (3.14+) to a sub-interpreter, against a Pipe and a Queue.",
    ),
)
