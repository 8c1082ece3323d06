"""Section D of CLAIMS.md: the timings the notes' examples print."""
from __future__ import annotations

from ...claims.expect import always, with_gil
from ...claims import Claim
from ...core.verdicts import HOLDS

CLAIMS = (
    Claim(
        id="sequential-adds-up",
        section="D",
        quote="单进程执行2次 … 用时4.006秒",
        statement="n tasks of T run one after another in one process take n·T.",
        expect=always(HOLDS),
    ),
    Claim(
        id="processes-run-in-parallel",
        section="D",
        quote="2 个子进程 … 总共用时2.028秒",
        statement="n processes each sleeping T finish in about T plus their start-up cost, not n·T.",
        expect=always(HOLDS, "sleeping needs no CPU, so this holds even on one core"),
    ),
    Claim(
        id="pool-capacity-limits-throughput",
        section="D",
        quote="Pool(4)，5 个任务 … 4.127秒",
        statement="Pool(k) running n tasks of T takes ceil(n/k)·T: a staircase in n, met at every edge "
                  "(one point a step off refutes it).",
        expect=always(HOLDS, "k workers run at most k tasks at once, and tasks that wait need no CPU"),
    ),
    Claim(
        id="pool-reuses-workers",
        section="D",
        quote="子进程: 18183 - 任务4",
        statement="A Pool runs its tasks on at most k worker processes that it reuses (the workers "
                  "announced by a Pool initializer, whatever the start method: a forkserver pool's workers "
                  "are children of the fork server); maxtasksperchild replaces workers after that many tasks.",
        expect=always(HOLDS, "a Pool starts k workers and hands every task to one of them"),
    ),
    Claim(
        id="pool-join-needs-close",
        section="D",
        quote="join()要用在close()或者terminate()之后",
        statement="Pool.join() on a running pool raises ValueError; after close() or terminate() it returns, "
                  "whatever the start method.",
        expect=always(HOLDS, "Pool.join() checks that the pool is no longer running"),
    ),
    Claim(
        id="sleep-releases-gil",
        section="D",
        quote="睡眠时候，并没有占用cpu，就释放GIL锁了",
        statement="k threads sleeping T finish in about T, and a CPU-bound thread keeps more than ¾ of its pace "
                  "while other threads sleep (beside a thread that shares the GIL it keeps ½).",
        expect=with_gil(HOLDS, "a sleeping thread waits in the kernel with the GIL released",
                        cases=("cpu-pace",)),
    ),
)
