"""Section E of CLAIMS.md: CPU-bound → processes, I/O-bound → threads."""
from __future__ import annotations

from . import Claim
from ._expect import always, needs_cpus
from ..runtime import Runtime
from ..verdicts import HOLDS, PARTLY, REFUTED, Expectation


def _cpu_bound(runtime: Runtime, case=None) -> Expectation:
    untestable = needs_cpus(2, runtime)
    if untestable:
        return untestable
    if not runtime.gil_enabled:
        return Expectation(REFUTED, "no GIL on this runtime: threads run Python code in parallel too")
    return Expectation(HOLDS, "the GIL lets one thread run Python code at a time")


def _io_bound(runtime: Runtime, case=None) -> Expectation:
    if case is None:
        return Expectation(PARTLY, "holds for network waits; cached file I/O is not waiting at all")
    if case.startswith("file-cached"):
        return Expectation(REFUTED, "cached file operations are memory copies, not waits")
    if case == "file-fsync":
        return Expectation(REFUTED, "fsync waits for the disk, but a disk finishes one flush after another "
                                    "(one journal commit at a time): neither threads nor processes overlap "
                                    "those waits much")
    return Expectation(HOLDS)


CLAIMS = (
    Claim(
        id="cpu-bound-favours-processes",
        section="E",
        quote="CPU密集型使用多进程",
        statement="Fixed CPU-bound work split over k workers finishes sooner on k processes than on k threads.",
        expect=_cpu_bound,
    ),
    Claim(
        id="io-bound-favours-threads",
        section="E",
        quote="IO密集型使用多线程（文件操作、爬虫）",
        statement="Work that waits is sped up by threads as much as the waits allow, and threads "
                  "do it no slower than processes.",
        expect=_io_bound,
    ),
    Claim(
        id="gil-released-on-io-wait",
        section="E",
        quote="Python遇到等待会释放GIL",
        statement="A thread blocked in a wait (sleep, socket recv, select, file read) does not stop "
                  "another thread from running Python code.",
        expect=always(HOLDS),
    ),
)
