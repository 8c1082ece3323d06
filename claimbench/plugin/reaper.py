"""After every test: its child processes reaped (one still alive fails it), the threads it started
gone (one still running fails it: a spinner left behind slows the next timing test), and the
stopping rule's per-look level put back."""
from __future__ import annotations

import threading
import time

import pytest

from ..core import children, stats


THREAD_GRACE_S = 2.0  # as the children's: time for a pool's threads to notice their shutdown


def threads_left(before, grace_s: float = THREAD_GRACE_S):
    """Threads alive now that were not alive ``before``, once they had ``grace_s`` to end."""
    deadline = time.monotonic() + grace_s
    while True:
        new = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
        if not new or time.monotonic() >= deadline:
            return new
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def no_stray_children(pytestconfig):
    """Every test reaps its children; one still alive after the test is killed and is an error. A
    thread the test started and left running is an error too (a thread cannot be killed: it is named)."""
    before = {t.ident for t in threading.enumerate()}
    yield
    if getattr(pytestconfig, "_claimbench", None) is None:
        return
    killed = children.reap_strays(grace_s=2.0)
    left = threads_left(before)
    problems = (["child processes outlived the test and were killed: " + "; ".join(killed)] if killed else []) + (
        ["threads outlived the test: " + ", ".join(f"{t.name} ({'daemon' if t.daemon else 'not daemon'})"
                                                   for t in left)] if left else [])
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def confidence_per_test():
    """until_settled leaves its per-look level set for the test's report (claimbench/core/stopping.py); no next test inherits it."""
    token = stats.set_confidence(stats.CONFIDENCE)
    yield
    stats.reset_confidence(token)
