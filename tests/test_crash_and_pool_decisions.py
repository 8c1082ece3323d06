"""The decisions of the crash and Pool experiments, on synthetic observations: every verdict reachable."""
from __future__ import annotations

import json
import queue
import signal

from claimbench.core import stats, verdicts
from claimbench.families.b_crashes import child as crashes
from claimbench.families.d_examples import child as pool_child, decide as pool_decide

FIVE = crashes.CRASH_MODES


def isolated(**changes) -> dict:
    """What crash_beside_sibling returns when every death leaves the sibling and the parent running."""
    seen = {"started": True, "deaths": {d: {"death": d, "pid": 10 + i, "exitcode": crashes.DEATHS[d][0],
                                            "sibling_alive": True} for i, d in enumerate(FIVE)},
            "sibling_result": crashes.SIBLING_RESULT, "sibling_exitcode": 0, "parent_went_on": True,
            "after_exitcode": 0}
    seen.update(changes)
    return seen


def test_crash_isolation_holds_refutes_and_is_inconclusive():
    assert crashes.crash_isolation_verdict(isolated(), FIVE) == verdicts.HOLDS
    assert crashes.crash_isolation_verdict(isolated(sibling_result=None), FIVE) == verdicts.REFUTED
    assert crashes.crash_isolation_verdict(isolated(after_exitcode=1), FIVE) == verdicts.REFUTED
    dead_sibling = isolated()
    dead_sibling["deaths"]["abort"]["sibling_alive"] = False
    assert crashes.crash_isolation_verdict(dead_sibling, FIVE) == verdicts.REFUTED
    not_as_planned = isolated()
    not_as_planned["deaths"]["segfault"]["exitcode"] = 0
    assert crashes.crash_isolation_verdict(not_as_planned, FIVE) == verdicts.INCONCLUSIVE
    assert crashes.crash_isolation_verdict({"deaths": {}}, FIVE) == verdicts.INCONCLUSIVE


def test_a_crash_that_takes_the_sandboxed_parent_refutes():
    lines = [json.dumps({"started": True, "sibling_pid": 5})]
    seen = crashes.merge_steps([json.loads(x) for x in lines])
    assert crashes.crash_isolation_verdict(seen, ("segfault",), process_code=-signal.SIGSEGV) == verdicts.REFUTED
    # a parent that ended some other way tested nothing
    assert crashes.crash_isolation_verdict(seen, ("segfault",), process_code=1) == verdicts.INCONCLUSIVE


def test_thread_crash_verdicts():
    ended = []
    assert crashes.thread_crash_verdict("segfault", ended, -signal.SIGSEGV)[0] == verdicts.HOLDS
    assert crashes.thread_crash_verdict("abort", ended, -signal.SIGABRT)[0] == verdicts.HOLDS
    went_on = [{"survived": True}]
    assert crashes.thread_crash_verdict("segfault", went_on, 0)[0] == verdicts.REFUTED
    assert crashes.thread_crash_verdict("segfault", ended, 1)[0] == verdicts.INCONCLUSIVE
    # the exception's own sentence: only its thread ends
    hooked = [{"excepthook": "RuntimeError", "thread": "crasher"}, {"survived": True}]
    assert crashes.thread_crash_verdict("exception", hooked, 0)[0] == verdicts.HOLDS
    assert crashes.thread_crash_verdict("exception", ended, 1)[0] == verdicts.REFUTED
    assert crashes.thread_crash_verdict("exit3", ended, 3)[0] == verdicts.HOLDS
    # the plant: a forked process in the thread's place must itself have crashed
    planted_ok = [{"survived": True, "crasher_exitcode": -signal.SIGSEGV}]
    assert crashes.thread_crash_verdict("segfault", planted_ok, 0, crashes.FORKED_PROCESS)[0] == verdicts.REFUTED
    planted_idle = [{"survived": True, "crasher_exitcode": 0}]
    assert crashes.thread_crash_verdict("segfault", planted_idle, 0, crashes.FORKED_PROCESS)[0] \
        == verdicts.INCONCLUSIVE


def test_staircase_one_point_off_refutes():
    I, O, S = stats.INSIDE, stats.OUTSIDE, stats.STRADDLES
    assert pool_decide.staircase_verdict([I, I, I]) == verdicts.HOLDS
    assert pool_decide.staircase_verdict([I, O, I]) == verdicts.REFUTED
    assert pool_decide.staircase_verdict([I, S, O]) == verdicts.REFUTED
    assert pool_decide.staircase_verdict([I, S, I]) == verdicts.INCONCLUSIVE
    assert pool_decide.staircase_decision([S, O]) == stats.OUTSIDE  # settled: no more rounds needed


def test_reuse_verdicts():
    me = 1
    workers = {100: me, 101: me}
    assert pool_child.reuse_verdict([100, 101, 100, 101], workers, 2, 4, me, None)[0] == verdicts.HOLDS
    fresh = {100: me, 101: me, 102: me, 103: me}
    assert pool_child.reuse_verdict([100, 101, 102, 103], fresh, 2, 4, me, None)[0] == verdicts.REFUTED
    assert pool_child.reuse_verdict([100, 101, 102, 103], fresh, 2, 4, me, 1)[0] == verdicts.HOLDS
    assert pool_child.reuse_verdict([100, 101, 100, 101], workers, 2, 4, me, 1)[0] == verdicts.REFUTED
    stranger, what = pool_child.reuse_verdict([100, 999, 100, 101], workers, 2, 4, me, None)
    assert stranger == verdicts.REFUTED and "999" in what
    assert pool_child.reuse_verdict([100], workers, 2, 4, me, None)[0] == verdicts.INCONCLUSIVE
    _, forkserver = pool_child.reuse_verdict([100, 101], {100: 7, 101: 7}, 2, 2, me, None)
    assert "fork server" in forkserver


def test_announcements_are_collected_until_the_task_workers_are_in():
    q = queue.Queue()
    for pid in (100, 101):
        q.put((pid, 1))
    assert pool_child.collect_announced(q, [100, 101], wait_s=1) == {100: 1, 101: 1}
    assert pool_child.collect_announced(q, [102], wait_s=0.05) == {}


def test_the_planted_join_returns_only_on_a_running_pool():
    calls = []

    class Pool:
        def close(self):
            calls.append("close")

        def join(self):
            calls.append("join")

    planted = pool_child.JoinReturnsWhileRunning(Pool())
    planted.join()
    assert calls == []
    planted.close()
    planted.join()
    assert calls == ["close", "join"]


def test_a_ready_pool_has_every_worker_up_real_or_planted():
    import multiprocessing
    from multiprocessing.pool import ThreadPool
    ctx = multiprocessing.get_context()
    for make, workers in ((pool_child.real_pool, 2), (pool_child.one_worker_more, 3)):
        pool = pool_child.ready_pool(make, ctx, 2)
        try:
            assert pool._processes == workers
            if not isinstance(pool, ThreadPool):
                assert len([p for p in pool._pool if p.is_alive()]) == workers
            assert pool.apply_async(int, ("7",)).get(timeout=10) == 7
        finally:
            pool.terminate()
            pool.join()
