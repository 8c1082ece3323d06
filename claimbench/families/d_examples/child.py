"""What section D's Pool experiments run: a worker initializer, planted pools, and what a pool's workers
reveal of themselves (the staircase's thresholds and decisions: decide.py).

The pool claims (pool-capacity-limits-throughput, pool-reuses-workers, pool-join-needs-close)
find a pool's workers through what the workers report of themselves (``announce_worker``, a
Pool initializer), never among this process's children: a forkserver pool's workers are
children of the fork server (3.14's default start method on Linux).

The planted pools keep the API the experiments use and break the one property a claim is
about: more workers than they were asked for, a fresh process per task, a ``join()`` that
returns on a running pool. Standard library only, Python 3.8+.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from typing import Dict, Iterable, List, Optional, Set, Tuple

from ...core import verdicts
from ...core.workloads import REPORT_WAIT_S


# ---------------------------------------------------------------- what workers report
def announce_worker(report) -> None:
    """Pool initializer: say who this worker is, once, before it takes any task."""
    report.put((os.getpid(), os.getppid()))


def collect_announced(report, must_include: Iterable[int], wait_s: float = REPORT_WAIT_S) -> Dict[int, int]:
    """{worker pid: its OS parent} from the announcements, waiting until ``must_include`` are all in.

    A worker announces before its first task, but the announcement travels through a feeder
    thread, so it can arrive after the task's result: wait for the workers that ran tasks.
    """
    want = set(must_include)
    seen: Dict[int, int] = {}
    deadline = time.monotonic() + wait_s
    while not want <= set(seen) and time.monotonic() < deadline:
        try:
            pid, ppid = report.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen[pid] = ppid
    while True:  # and whatever else has arrived
        try:
            pid, ppid = report.get_nowait()
        except queue.Empty:
            return seen
        seen[pid] = ppid


def ready_pool(make, ctx, k: int, wait_s: float = REPORT_WAIT_S):
    """``make(ctx, k)`` once every worker it has (as the pool counts them) has started and
    announced itself: timing that starts after this leaves out start-up, which under spawn is
    tens of milliseconds per worker, unevenly spread, and would blur steps of a small T."""
    report = ctx.Queue()
    pool = make(ctx, k, initializer=announce_worker, initargs=(report,))
    try:
        workers = getattr(pool, "_processes", k)  # Pool and ThreadPool keep the number they run
        for _ in range(workers):
            report.get(timeout=wait_s)
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    finally:
        report.close()
        report.join_thread()
    return pool


# ---------------------------------------------------------------- pools, real and planted
def real_pool(ctx, k: int, **kwargs):
    """Pool(k), as the notes make it."""
    return ctx.Pool(k, **kwargs)


def twice_the_workers(ctx, k: int, **kwargs):
    """Planted: "Pool(k)" that has 2k workers."""
    return ctx.Pool(2 * k, **kwargs)


def one_worker_more(ctx, k: int, **kwargs):
    """Planted: "Pool(k)" that has k + 1 worker processes (a real Pool of one more).

    The question is a process pool's capacity, so the plant is one: the same workers, pipes and
    task hand-over as the real Pool, wrong only in how many tasks run at once. Timed after every
    worker has announced itself (``ready_pool``), none still starting: k + 1 tasks take one step.
    """
    return ctx.Pool(k + 1, **kwargs)


def fresh_process_per_task(ctx, k: int, **kwargs):
    """Planted: "Pool(k)" that runs each task in a fresh process (each worker exits after one task)."""
    kwargs["maxtasksperchild"] = 1
    return ctx.Pool(k, **kwargs)


def ignores_maxtasksperchild(ctx, k: int, **kwargs):
    """Planted: a Pool that drops its ``maxtasksperchild``, so it never replaces a worker."""
    kwargs.pop("maxtasksperchild", None)
    return ctx.Pool(k, **kwargs)


class JoinReturnsWhileRunning:
    """Planted: a Pool whose join() returns at once while the pool still runs.

    Every other call goes to the real pool; join() after close() or terminate() joins it.
    """

    def __init__(self, pool):
        self._pool = pool
        self._stopped = False

    def close(self) -> None:
        self._stopped = True
        self._pool.close()

    def terminate(self) -> None:
        self._stopped = True
        self._pool.terminate()

    def join(self) -> None:
        if self._stopped:
            self._pool.join()

    def __getattr__(self, name):
        return getattr(self._pool, name)


def join_returns_while_running(ctx, k: int, **kwargs):
    return JoinReturnsWhileRunning(ctx.Pool(k, **kwargs))


# ---------------------------------------------------------------- a join with a time limit
JOIN_LIMIT_S = 10.0  # a pool of one idle worker joins in milliseconds (spawn: tens); ten seconds is a hang


def join_within(pool, limit_s: float = JOIN_LIMIT_S) -> Tuple[bool, Optional[BaseException]]:
    """(returned, what it raised): ``pool.join()`` in a thread of its own, waited for ``limit_s``.

    A join that never returns is then seen, not waited for: (False, None). The thread is a daemon,
    so a hung join does not keep the interpreter from exiting.
    """
    raised: List[BaseException] = []

    def joining() -> None:
        try:
            pool.join()
        except BaseException as exc:  # noqa: B902 - whatever join raised is the observation
            raised.append(exc)

    t = threading.Thread(target=joining, name="join-within", daemon=True)
    t.start()
    t.join(limit_s)
    if t.is_alive():
        return False, None
    return True, (raised[0] if raised else None)


# ---------------------------------------------------------------- decisions
def reuse_verdict(task_pids: List[int], workers: Dict[int, int], k: int, tasks: int, parent_pid: int,
                  maxtasksperchild: Optional[int]) -> Tuple[str, str]:
    """Did the pool run its tasks on its own workers, reusing them (or replacing them, under maxtasksperchild)?

    ``workers``: {pid: OS parent} of every worker that announced itself.
    """
    distinct: Set[int] = set(task_pids)
    outside = sorted(distinct - set(workers))
    parents = sorted(set(workers.values()))
    if parents == [parent_pid]:
        where = "this process"
    else:
        where = f"{', '.join(map(str, parents))} (not this process: a fork server)" if parents else "unknown"
    what = (f"{tasks} tasks ran on {len(distinct)} distinct PIDs; {len(workers)} workers announced themselves "
            f"({', '.join(map(str, sorted(workers)))}), their OS parent {where}")
    if len(task_pids) < tasks or parent_pid in distinct or outside:
        if outside:
            what += f"; tasks ran on PIDs that no worker announced: {', '.join(map(str, outside))}"
        if parent_pid in distinct:
            what += "; tasks ran in this process"
        verdict = verdicts.INCONCLUSIVE if len(task_pids) < tasks else verdicts.REFUTED
        return verdict, what
    if maxtasksperchild is None:
        ok = len(distinct) <= k and len(workers) <= k
        what += f"; at most {k} allowed"
    else:
        # Each worker leaves after maxtasksperchild tasks: at least tasks/maxtasksperchild processes.
        least = -(-tasks // maxtasksperchild)
        ok = len(distinct) >= least
        what += f"; with maxtasksperchild={maxtasksperchild} at least {least} needed"
    return (verdicts.HOLDS if ok else verdicts.REFUTED), what
