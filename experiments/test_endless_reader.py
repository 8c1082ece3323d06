"""Section F: the notes' endless queue reader, and the ways (safe and unsafe) to end it."""
from __future__ import annotations

import multiprocessing
import queue
import signal
import time

import psutil
import pytest

from claimbench import probes, verdicts

WAIT_S = 20.0
JOIN_PROBE_S = 0.2       # how long join(timeout) is given to wait for a reader that never ends
SETTLE_S = 0.1           # time for a reader to be back inside get() after its last acknowledgement
FLOOD_ITEMS = 2000       # far more than the queue's pipe holds (64 KiB on Linux) …
FLOOD_ITEM_BYTES = 100   # … in items small enough to be written whole (below PIPE_BUF)
CLAIM = "endless-reader-must-terminate"


def _reader(ctx, target, *args):
    """Start ``target`` reading a fresh queue, feed it one item and wait until it has read it."""
    q, ack = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=target, args=(q, *args, ack) if args else (q, ack))
    p.start()
    q.put("A")
    first = ack.get(timeout=WAIT_S)
    return p, q, ack, first


def case_join_timeout(ctx):
    p, q, ack, first = _reader(ctx, probes.endless_reader)
    t0 = time.perf_counter()
    p.join(JOIN_PROBE_S)
    waited, alive, code = time.perf_counter() - t0, p.is_alive(), p.exitcode
    probes.settle([p], timeout_s=0)
    held = alive and code is None
    return (verdicts.HOLDS if held else verdicts.REFUTED,
            "the reader got {!r}; join({}) came back after {:.2f} s with the reader {} (exit code {})".format(
                first, JOIN_PROBE_S, waited, "still alive" if alive else "ended", code),
            {"waited_s": waited, "alive": alive})


def case_terminate(ctx):
    p, q, ack, first = _reader(ctx, probes.endless_reader)
    p.terminate()
    probes.settle([p], timeout_s=WAIT_S)
    ended = p.exitcode == -signal.SIGTERM
    return (verdicts.HOLDS if ended else verdicts.INCONCLUSIVE,
            "the reader got {!r}; terminate() ended it with exit code {}".format(
                first, probes.describe_exitcode(p.exitcode)), {"exitcode": p.exitcode})


def case_sentinel(ctx):
    p, q, ack, first = _reader(ctx, probes.sentinel_reader)
    for item in ("B", "C", None):
        q.put(item)
    probes.settle([p], timeout_s=WAIT_S)
    got = [first] + probes.drain(ack, 0.2)
    clean = p.exitcode == 0 and got == ["A", "B", "C"]
    return (verdicts.REFUTED if clean else verdicts.INCONCLUSIVE,
            "the reader got {} and then a None sentinel, and returned by itself: exit code {}".format(
                got, probes.describe_exitcode(p.exitcode)), {"exitcode": p.exitcode, "got": got})


def case_event(ctx):
    stop = ctx.Event()
    p, q, ack, first = _reader(ctx, probes.event_reader, stop)
    q.put("B")
    got = [first, ack.get(timeout=WAIT_S)]
    stop.set()
    probes.settle([p], timeout_s=WAIT_S)
    clean = p.exitcode == 0
    return (verdicts.REFUTED if clean else verdicts.INCONCLUSIVE,
            "the reader got {}, then the parent set an Event it checks between reads: it returned by "
            "itself, exit code {}".format(got, probes.describe_exitcode(p.exitcode)), {"exitcode": p.exitcode})


def case_daemon(ctx, tmp_path):
    done = probes.run_sandbox("daemon_reader_sandbox()", timeout_s=WAIT_S, cwd=str(tmp_path))
    said = {k: v for d in probes.json_lines(done.stdout) for k, v in d.items()}
    pid, code = said.get("reader_pid"), said.get("reader_exitcode")
    gone = pid is not None and not _alive(pid)
    ok = done.returncode == 0 and gone and code == -signal.SIGTERM
    return (verdicts.HOLDS if ok else verdicts.INCONCLUSIVE,
            "a parent with a daemon=True endless reader returned without join() and exited {}; "
            "its exit ended the reader {} — multiprocessing's exit handler calls terminate() on "
            "daemonic children: exit code {}".format(
                probes.describe_exitcode(done.returncode), pid, probes.describe_exitcode(code)),
            {"returncode": done.returncode, "reader_pid": pid, "reader_exitcode": code, "reader_gone": gone})


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def case_terminate_writer(ctx):
    q, all_put = ctx.Queue(), ctx.Event()
    p = ctx.Process(target=probes.flooding_writer, args=(q, FLOOD_ITEMS, FLOOD_ITEM_BYTES, all_put))
    p.start()
    put_all = all_put.wait(WAIT_S)
    p.terminate()
    probes.settle([p], timeout_s=WAIT_S)
    got = probes.drain(q, 0.3)
    lost = FLOOD_ITEMS - len(got)
    return (verdicts.REFUTED if put_all and lost > 0 else verdicts.INCONCLUSIVE,
            "a writer put() {} items ({}), was terminated (exit code {}) before its feeder thread had "
            "flushed them into the pipe; the reader got {}: {} lost".format(
                FLOOD_ITEMS, "all returned" if put_all else "not all returned",
                probes.describe_exitcode(p.exitcode), len(got), lost),
            {"put": FLOOD_ITEMS, "got": len(got), "lost": lost})


def case_terminate_reader(ctx):
    p, q, ack, first = _reader(ctx, probes.endless_reader)
    time.sleep(SETTLE_S)  # back inside q.get(), which holds the queue's read lock while it waits
    p.terminate()
    probes.settle([p], timeout_s=WAIT_S)
    q.put("B")
    try:
        after = q.get(timeout=0.5)
    except queue.Empty:
        after = None
    q.cancel_join_thread()  # 'B' sits in the pipe for good: do not wait on it at exit
    q.close()
    jammed = after is None
    return (verdicts.REFUTED if jammed else verdicts.INCONCLUSIVE,
            "the reader got {!r} and was terminated (exit code {}) while waiting in get(); then the parent "
            "put 'B' and {}".format(
                first, probes.describe_exitcode(p.exitcode),
                "could not get it back within 0.5 s: the dead reader still holds the queue's read lock, so "
                "'B' is lost to every reader" if jammed else "got {!r} back".format(after)),
            {"exitcode": p.exitcode, "jammed": jammed})


CASES = {
    "join-timeout": case_join_timeout,
    "terminate": case_terminate,
    "sentinel": case_sentinel,
    "event": case_event,
    "daemon": case_daemon,
    "terminate-writer": case_terminate_writer,
    "terminate-reader": case_terminate_reader,
}


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim(CLAIM)
@pytest.mark.parametrize("case", list(CASES))
def test_ending_an_endless_reader(case, judge, tmp_path):
    """False if join() could wait for the reader, terminate() could not end it, or only terminate() could."""
    ctx = multiprocessing.get_context()
    run = CASES[case]
    verdict, what, data = run(ctx, tmp_path) if case == "daemon" else run(ctx)
    data["start_method"] = ctx.get_start_method()
    judge(verdicts.observed(CLAIM, "", verdict, what, data=data))
