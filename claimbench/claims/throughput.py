"""Section F of CLAIMS.md: how fast processes can move bytes between them."""
from __future__ import annotations

from . import Claim
from ..probes_cost import parse_bytes_label
from ..runtime import Runtime
from ..verdicts import HOLDS, PARTLY, REFUTED, Expectation

# A payload of a page or less costs less to copy than the message that must announce it.
SMALL_PAYLOAD_BYTES = 4096


def _payload_bytes(case):
    try:
        return parse_bytes_label(case) if case else None
    except ValueError:
        return None


def _throughput(runtime: Runtime, case=None) -> Expectation:
    size = _payload_bytes(case)
    if size is None:
        return Expectation(PARTLY, "shared memory wins for large payloads only")
    if size <= SMALL_PAYLOAD_BYTES:
        return Expectation(REFUTED, "a payload of a page or less costs no more to copy than the message "
                                    "that tells the other process it is there, and shared memory needs "
                                    "that message too")
    return Expectation(HOLDS, "shared memory copies the payload once; a Pipe copies it through the kernel "
                              "twice, a Queue also pickles it and hands it to a feeder thread")


CLAIMS = (
    Claim(
        id="ipc-throughput-ranks",
        section="F",
        quote="管道、消息队列、共享内存（不同虚拟地址和同一物理地址的映射）",
        statement="For large payloads, shared memory moves bytes between processes faster than a Pipe or a "
                  "Queue (by at least half as much again).",
        expect=_throughput,
        note="The notes imply this (shared memory avoids copies) without saying it. Each transfer ends when "
             "the receiving process has the bytes and has acknowledged them; for shared memory, the sender's "
             "copy into the block is included.",
    ),
)
