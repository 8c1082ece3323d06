"""Section F: the notes' endless queue reader, and what safer programs (and forced ends mid-traffic) do."""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time

import psutil
import pytest

from claimbench.core import labels, sandbox, verdicts, workloads
from claimbench.core.roles import control, related
from claimbench.core.ways import PlantedWay
from claimbench.core.workloads import REPORT_WAIT_S
from claimbench.families.f_communication.child import readers

JOIN_PROBE_S = 0.25      # join(timeout) waits this long: a reader that can end has ended by then (in ms)
ENDS_WITHIN_S = 5.0      # a reader that ends by itself has ended by then
SIGTERM_WITHIN_S = 1.0   # SIGTERM's default action ends a process as soon as it is scheduled
LOCK_SEEN_WITHIN_S = 2.0
FLOOD_ITEMS = 2000       # about 200 KiB pickled, far more than the queue's pipe holds (64 KiB on Linux) …
FLOOD_ITEM_BYTES = 100   # … in items small enough to be written whole (below PIPE_BUF)
CLAIM = "endless-reader-must-terminate"
NOTES_READER = ["join-timeout", "terminate"]


class NoFirstItem(Exception):
    pass


def _reader(ctx, target, *args):
    """Start ``target`` reading a fresh queue, feed it one item and wait until it has read it."""
    q, ack = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=target, args=(q,) + args + (ack,))
    p.start()
    q.put("A")
    try:
        first = ack.get(timeout=REPORT_WAIT_S)
    except queue.Empty:
        workloads.settle([p], timeout_s=0)
        raise NoFirstItem("the reader never acknowledged its first item (exit code "
                          f"{labels.describe_exitcode(p.exitcode)})")
    return p, q, ack, first


def case_join_timeout(ctx, reader=readers.endless_reader):
    p, q, ack, first = _reader(ctx, reader)
    try:
        t0 = time.perf_counter()
        p.join(JOIN_PROBE_S)
        waited, alive, code = time.perf_counter() - t0, p.is_alive(), p.exitcode
    finally:
        workloads.settle([p], timeout_s=0)
    return (verdicts.HOLDS if alive else verdicts.REFUTED,
            f"the reader got {first!r}; join({JOIN_PROBE_S}) came back after {waited:.2f} s with the reader "
            f"{'still alive' if alive else 'ended'} (exit code {code})",
            {"waited_s": waited, "alive": alive, "exitcode": code})


def case_terminate(ctx, reader=readers.endless_reader):
    p, q, ack, first = _reader(ctx, reader)
    try:
        p.terminate()
        p.join(SIGTERM_WITHIN_S)
        alive, code = p.is_alive(), p.exitcode
    finally:
        workloads.settle([p], timeout_s=0)
    if alive:
        verdict, how = verdicts.REFUTED, f"it was still alive {SIGTERM_WITHIN_S} s later (then killed)"
    elif code == -signal.SIGTERM:
        verdict, how = verdicts.HOLDS, f"it ended with exit code {labels.describe_exitcode(code)}"
    else:  # it ended, but not by the signal: terminate() was not put to the test
        verdict = verdicts.INCONCLUSIVE
        how = f"it ended with exit code {labels.describe_exitcode(code)}, not by SIGTERM"
    return verdict, f"the reader got {first!r}; after terminate() {how}", {"exitcode": code, "alive": alive}


def _ended_by_itself(code, alive, items_ok: bool, what: str):
    """A changed reader's finding: it returned by itself (exit code 0), every item read."""
    if alive:
        return verdicts.REFUTED, f"{what}, yet the reader was still alive {ENDS_WITHIN_S} s later (then killed)"
    clean = code == 0 and items_ok
    return (verdicts.HOLDS if clean else verdicts.REFUTED,
            f"{what}; the reader returned by itself: exit code "
            f"{labels.describe_exitcode(code)}{'' if items_ok else ', items missing'}")


def case_sentinel(ctx):
    p, q, ack, first = _reader(ctx, readers.sentinel_reader)
    try:
        for item in ("B", "C", None):
            q.put(item)
        p.join(ENDS_WITHIN_S)
        alive, code = p.is_alive(), p.exitcode
    finally:
        workloads.settle([p], timeout_s=0)
    got = [first] + readers.drain(ack, 0.05)  # the reader flushed its acknowledgements as it exited
    verdict, what = _ended_by_itself(code, alive, got == ["A", "B", "C"],
                                     f"the parent put 'B', 'C' and a None sentinel; the reader got {got}")
    return verdict, what, {"exitcode": code, "got": got, "alive": alive}


def case_event(ctx):
    stop = ctx.Event()
    p, q, ack, first = _reader(ctx, readers.event_reader, stop)
    try:
        q.put("B")
        try:
            got = [first, ack.get(timeout=REPORT_WAIT_S)]
        except queue.Empty:
            got = [first]
        stop.set()
        p.join(ENDS_WITHIN_S)
        alive, code = p.is_alive(), p.exitcode
    finally:
        workloads.settle([p], timeout_s=0)
    verdict, what = _ended_by_itself(code, alive, got == ["A", "B"],
                                     f"the reader got {got}, then the parent set an Event it checks between reads "
                                     "(get with a timeout)")
    return verdict, what, {"exitcode": code, "got": got, "alive": alive}


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _end_orphan(pid: int) -> None:
    """Kill a reader that outlived its parent (pytest, a subreaper, inherits it) and reap it."""
    try:
        psutil.Process(pid).kill()
        os.waitpid(pid, 0)
    except (psutil.NoSuchProcess, ChildProcessError, OSError):
        pass


def case_daemon(ctx, tmp_path):
    done = sandbox.one_shot(readers.daemon_reader_sandbox, timeout_s=REPORT_WAIT_S, cwd=str(tmp_path))
    said = {k: v for d in sandbox.json_lines(done.stdout) for k, v in d.items()}
    pid, code = said.get("reader_pid"), said.get("reader_exitcode")
    if pid is None:
        return (verdicts.INCONCLUSIVE, "the sandbox started no reader (exit code "
                                       f"{labels.describe_exitcode(done.returncode)}): {done.stderr.strip()[-300:]}",
                {"returncode": done.returncode})
    outlived = _alive(pid)
    if outlived:
        _end_orphan(pid)
        verdict = verdicts.REFUTED
        how = f"the reader {pid} outlived it (then killed)"
    elif code == -signal.SIGTERM:
        verdict = verdicts.HOLDS
        how = f"its exit ended the reader {pid}: multiprocessing's exit handler terminates daemonic children " \
              f"(exit code {labels.describe_exitcode(code)})"
    else:
        verdict = verdicts.REFUTED
        how = f"the reader {pid} ended, but not by terminate(): exit code {labels.describe_exitcode(code)}"
    return (verdict, "a parent with a daemon=True endless reader returned without join() and exited "
                     f"{labels.describe_exitcode(done.returncode)}; {how}",
        {"returncode": done.returncode, "reader_pid": pid, "reader_exitcode": code, "reader_outlived": outlived})


def case_terminate_writer(ctx):
    q, all_put = ctx.Queue(), ctx.Event()
    p = ctx.Process(target=readers.flooding_writer, args=(q, FLOOD_ITEMS, FLOOD_ITEM_BYTES, all_put))
    p.start()
    try:
        put_all = all_put.wait(REPORT_WAIT_S)
        p.terminate()
    finally:
        workloads.settle([p], timeout_s=REPORT_WAIT_S)
    got = readers.drain(q, 0.3)
    lost = FLOOD_ITEMS - len(got)
    if not put_all:
        verdict = verdicts.INCONCLUSIVE
    else:
        verdict = verdicts.HOLDS if lost > 0 else verdicts.REFUTED
    return (verdict,
            f"a writer put() {FLOOD_ITEMS} items ({'all returned' if put_all else 'not all returned'}) and was "
            f"terminated (exit code {labels.describe_exitcode(p.exitcode)}) while nobody read; the reader then got "
            f"{len(got)}: {lost} lost with the feeder thread that had not yet written them into the pipe",
            {"put": FLOOD_ITEMS, "got": len(got), "lost": lost})


def _read_lock_held(q, within_s: float) -> bool:
    """Whether another process is seen holding the queue's read lock (a reader waiting in get())."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not q._rlock.acquire(False):
            return True
        q._rlock.release()
        time.sleep(0.005)
    return False


def case_terminate_reader(ctx):
    p, q, ack, first = _reader(ctx, readers.endless_reader)
    try:
        inside_get = _read_lock_held(q, LOCK_SEEN_WITHIN_S)
        p.terminate()
    finally:
        workloads.settle([p], timeout_s=REPORT_WAIT_S)
    q.put("B")
    try:
        after = q.get(timeout=0.5)
    except queue.Empty:
        after = None
    q.cancel_join_thread()  # 'B' may sit in the pipe for good: do not wait on it at exit
    q.close()
    jammed = after is None
    if not inside_get:
        verdict = verdicts.INCONCLUSIVE  # never seen waiting inside get(): the lock was not put to the test
    else:
        verdict = verdicts.HOLDS if jammed else verdicts.REFUTED
    then = "could not get it back within 0.5 s: the dead reader still holds the read lock, so 'B' is lost to " \
        "every reader" if jammed else f"got {after!r} back"
    return (verdict,
            f"the reader got {first!r}, was seen {'' if inside_get else 'NOT '}holding the queue's read lock inside "
            f"get(), and was terminated (exit code {labels.describe_exitcode(p.exitcode)}); then the parent put 'B' "
            f"and {then}",
            {"exitcode": p.exitcode, "jammed": jammed, "inside_get": inside_get})


def _judge(judge, run, *args):
    try:
        verdict, what, data = run(*args)
    except NoFirstItem as exc:
        verdict, what, data = verdicts.INCONCLUSIVE, str(exc), {}
    ctx = args[0]
    data["start_method"] = ctx.get_start_method()
    judge.observed(verdict, what, data=data)


NOTES_CASES = {"join-timeout": case_join_timeout, "terminate": case_terminate}


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim(CLAIM)
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("reader-that-exits", PlantedWay(plant=readers.self_ending_reader), "join-timeout",
                          why="the reader returns after its first item, so join() finds it ended"),
                  control("sigterm-deaf-reader", PlantedWay(plant=readers.sigterm_deaf_reader), "terminate",
                          why="the reader ignores SIGTERM, so terminate() cannot end it"),
                  per={"case": NOTES_READER})
def test_notes_endless_reader(way, case, judge):
    """False if join(timeout) finds the notes' `while True: q.get(True)` reader ended, or terminate() does not end it.
    Each control plants a reader for the one case it names."""
    _judge(judge, NOTES_CASES[case], way.context(), way.plant or readers.endless_reader)


RELATED = {
    "sentinel": case_sentinel,
    "event": case_event,
    "daemon": case_daemon,
    "terminate-writer": case_terminate_writer,
    "terminate-reader": case_terminate_reader,
}


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim(CLAIM)
@pytest.mark.parametrize("case", [
    related("sentinel", "sentinel", why="a reader that stops at a sentinel returns by itself, every item read"),
    related("event", "event", why="a reader that checks an Event between timed reads returns once it is set"),
    related("daemon", "daemon", why="a daemon=True reader is terminated by its parent's exit handler"),
    related("terminate-writer", "terminate-writer",
            why="terminating a writer loses the items its feeder thread had not yet written"),
    related("terminate-reader", "terminate-reader",
            why="terminating a reader inside get() leaves the queue's read lock held for good"),
])
def test_ending_a_changed_or_busy_reader(case, judge, tmp_path):
    """False (for each finding) if the changed reader does not end by itself, daemon=True does not end the
    reader by terminate(), or a forced end mid-traffic loses nothing and leaves the queue usable."""
    ctx = multiprocessing.get_context()
    if case == "daemon":
        _judge(judge, lambda ctx: case_daemon(ctx, tmp_path), ctx)
    else:
        _judge(judge, RELATED[case], ctx)
