"""What section B's experiments run: a process that really crashes (a segfault, an abort) beside a
sibling that goes on, and a thread that crashes the interpreter it runs in.

Each function is the body of a child process or sandbox interpreter (importable by name), or a
pure helper that turns what the children said into a verdict. Standard library only, Python 3.8+.
"""
from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from typing import Optional, Sequence, Tuple

from ...core import verdicts
from ...core.labels import describe_exitcode
from ...core.planted import FORKED_PROCESS, THREAD
from ...core.workloads import CHILD_WAIT_S, noop, settle, spin


def no_core_dumps() -> None:
    """Make this process leave no core file when it crashes, and print no fault dump.

    RLIMIT_CORE 0 stops ordinary core files; PR_SET_DUMPABLE 0 also stops a
    core_pattern that pipes to a helper (which ignores RLIMIT_CORE 0).
    """
    import faulthandler
    faulthandler.disable()
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            PR_SET_DUMPABLE = 4
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass

# ---------------------------------------------------------------- crashes
# How a child dies in crash(), the exit code that must give, and why.
DEATHS = {
    "exception": (1, "an uncaught exception: multiprocessing prints the traceback and exits with status 1"),
    "exit3": (3, "os._exit(3): the status the child chose, no clean-up"),
    "segfault": (-signal.SIGSEGV, "ctypes.string_at(0) read address 0: a real segmentation fault"),
    "abort": (-signal.SIGABRT, "os.abort() raised SIGABRT"),
    "sigkill": (-signal.SIGKILL, "SIGKILL, which no process can catch"),
}
CRASH_MODES = tuple(DEATHS)


def crash(mode: str) -> None:
    """Worker: die in the way ``mode`` names, leaving no core file."""
    no_core_dumps()
    if mode == "exception":
        raise RuntimeError("deliberate uncaught exception in a child")
    if mode == "exit3":
        os._exit(3)
    if mode == "segfault":
        import ctypes
        ctypes.string_at(0)  # reads address 0: a real SIGSEGV
    if mode == "abort":
        os.abort()
    if mode == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise ValueError(f"unknown crash mode {mode!r}")


def steady_sibling(go_on, report, chunk: int = 20000) -> None:
    """Worker: compute in chunks until told to go on, then finish a fixed task and report it.

    It rests a millisecond between chunks, so that on a small machine it does not slow the
    start of the very children whose deaths it is meant to outlive.
    """
    report.put(("started", os.getpid()))
    chunks = 0
    deadline = time.monotonic() + CHILD_WAIT_S
    while not go_on.is_set() and time.monotonic() < deadline:
        spin(chunk)
        chunks += 1
        time.sleep(0.001)
    report.put(("finished", os.getpid(), chunks, sum(i * i for i in range(1000))))


SIBLING_RESULT = sum(i * i for i in range(1000))


def crash_beside_sibling(ctx, deaths: Sequence[str], wait_s: float, emit=None) -> dict:
    """The process-crash-isolated experiment, on the processes of ``ctx``.

    A sibling computes while children die one after another, one by each of ``deaths``; the
    sibling is then told to finish its task, and the parent starts one more child. Returns
    what was seen, and hands each step to ``emit`` as it is seen, so that what came before
    survives a crash that takes the parent with it.
    """
    seen = {"start_method": ctx.get_start_method(), "parent_pid": os.getpid(), "deaths": {}}

    def note(**step) -> None:
        if "death" in step:
            seen["deaths"][step["death"]] = step
        else:
            seen.update(step)
        if emit is not None:
            emit(step)

    go_on, report = ctx.Event(), ctx.Queue()
    sibling = ctx.Process(target=steady_sibling, args=(go_on, report))
    crashers = [ctx.Process(target=crash, args=(death,)) for death in deaths]
    after = ctx.Process(target=noop)
    try:
        sibling.start()
        report.get(timeout=wait_s)
        note(started=True, sibling_pid=sibling.pid)
        for death, crasher in zip(deaths, crashers):
            crasher.start()
            crasher.join(wait_s)
            # Was the sibling still working when its sibling died?
            note(death=death, pid=crasher.pid, exitcode=crasher.exitcode, sibling_alive=sibling.is_alive())
        go_on.set()
        finished = report.get(timeout=wait_s)
        note(sibling_result=finished[3], sibling_chunks=finished[2])
        after.start()  # and the parent goes on using multiprocessing
    except queue.Empty:
        pass  # decided from what did arrive
    finally:
        go_on.set()
        killed = settle(crashers + [sibling, after])
    note(sibling_exitcode=sibling.exitcode, after_exitcode=after.exitcode, killed=killed, parent_went_on=True)
    return seen


def crash_isolation_sandbox(deaths: Sequence[str]) -> None:
    """Sandbox body: crash_beside_sibling on threads posing as processes, each step a JSON line."""
    import json
    from ...core.planted import THREADS_AS_PROCESSES
    crash_beside_sibling(THREADS_AS_PROCESSES, deaths, CHILD_WAIT_S / 3,
                         emit=lambda step: print(json.dumps(step), flush=True))


def merge_steps(said: Sequence[dict]) -> dict:
    """The steps a sandbox printed, as crash_beside_sibling returns them (later lines win)."""
    seen: dict = {"deaths": {}}
    for step in said:
        if "death" in step:
            seen["deaths"][step["death"]] = step
        else:
            seen.update(step)
    return seen


def crash_isolation_verdict(seen: dict, deaths: Sequence[str], process_code: Optional[int] = None) -> str:
    """Did every crash leave the sibling and the parent running?

    Holds when each child died as planned (its exit code) and the sibling was working after
    each death, then finished its task, while the parent started another child; refuted when
    they died as planned and the sibling or the parent did not go on. A crash that took the
    parent with it (``process_code``: the parent's own exit code, for a parent run in a
    sandbox) shows as the parent ending with that death's code. Otherwise nothing was tested.
    """
    if not seen.get("started"):
        return verdicts.INCONCLUSIVE
    for death in deaths:
        step = seen["deaths"].get(death)
        expected = DEATHS[death][0]
        if step is None:
            if not seen.get("parent_went_on") and process_code == expected:
                return verdicts.REFUTED  # this death took the parent (and the sibling) with it
            return verdicts.INCONCLUSIVE
        if step.get("exitcode") != expected:
            return verdicts.INCONCLUSIVE  # it did not die as planned
    sibling_ok = all(seen["deaths"][d].get("sibling_alive") for d in deaths) \
        and seen.get("sibling_result") == SIBLING_RESULT and seen.get("sibling_exitcode") == 0
    parent_ok = bool(seen.get("parent_went_on")) and seen.get("after_exitcode") == 0
    return verdicts.HOLDS if sibling_ok and parent_ok else verdicts.REFUTED


# How a thread crashes in thread_crash_sandbox; each is run in a fresh interpreter.
THREAD_CRASHES = {
    "segfault": ("ctypes.string_at(0) in a thread: a real segmentation fault", -signal.SIGSEGV),
    "abort": ("os.abort() in a thread", -signal.SIGABRT),
    "exception": ("an uncaught RuntimeError in a thread", None),
    "exit3": ("os._exit(3) in a thread: an exit, not a crash", 3),
}


def _thread_crash(mode: str) -> None:
    if mode == "exception":
        raise RuntimeError("deliberate uncaught exception in a thread")
    if mode == "segfault":
        import ctypes
        ctypes.string_at(0)
    if mode == "abort":
        os.abort()
    if mode == "exit3":
        os._exit(3)
    raise ValueError(f"unknown thread crash mode {mode!r}")


def thread_crash_sandbox(mode: str, crasher: str = THREAD) -> None:
    """Sandbox body: one thread crashes by ``mode``; the main thread reports if it survived.

    ``crasher="forked-process"`` plants a forked process in the thread's place (a control).
    """
    import json
    no_core_dumps()

    def hook(args):
        print(json.dumps({"excepthook": args.exc_type.__name__, "thread": args.thread.name}), flush=True)

    threading.excepthook = hook
    if crasher == FORKED_PROCESS:
        from ...core.planted import forked_process_as_thread
        t = forked_process_as_thread(_thread_crash, args=(mode,))
        if t is None:
            print(json.dumps({"unavailable": "fork is not offered here, and the plant needs it"}), flush=True)
            return
    else:
        t = threading.Thread(target=_thread_crash, args=(mode,), name="crasher", daemon=True)
    t.start()
    t.join(CHILD_WAIT_S)
    time.sleep(0.05)  # the main thread goes on running Python code after the crash
    print(json.dumps({"survived": True, "main_thread_result": sum(range(1000)), "crasher_alive": t.is_alive(),
                      "crasher_exitcode": getattr(t, "exitcode", None)}), flush=True)


def thread_crash_verdict(mode: str, said: Sequence[dict], returncode: int, crasher: str = THREAD) -> Tuple[str, str]:
    """(verdict, evidence) for one sandbox run of thread_crash_sandbox.

    A fault (``segfault``, ``abort``): holds when it ended the whole process (the main thread
    never reported), refuted when the process went on. Its neighbours answer their own
    sentences: ``exception`` holds when only its thread ended (excepthook fired, the process
    went on); ``exit3`` holds when the process ended with status 3.
    """
    how, code = THREAD_CRASHES[mode]
    seen: dict = {}
    for step in said:
        seen.update(step)
    survived = bool(seen.get("survived"))
    hooks = [s["excepthook"] for s in said if "excepthook" in s]
    rc = describe_exitcode(returncode)
    if crasher == FORKED_PROCESS:
        how = how.replace("in a thread", "in a forked process posing as the thread")
    if survived:
        fired = f", threading.excepthook fired ({', '.join(hooks)})" if hooks else ""
        what = f"{how}: the main thread went on{fired} and the process exited {rc}"
        if crasher == FORKED_PROCESS:
            what += f"; the crasher's own exit code: {describe_exitcode(seen.get('crasher_exitcode'))}"
    else:
        what = f"{how}: the whole process ended with {rc} before its main thread could report"
    if "unavailable" in seen:
        return verdicts.INCONCLUSIVE, f"{how}: {seen['unavailable']}"
    if mode == "exception":
        if survived and returncode == 0 and hooks:
            return verdicts.HOLDS, what
        return (verdicts.REFUTED if not survived else verdicts.INCONCLUSIVE), what
    if survived and returncode == 0:
        if crasher == FORKED_PROCESS and seen.get("crasher_exitcode") != code:
            return verdicts.INCONCLUSIVE, what + " (the plant did not crash as planned)"
        return verdicts.REFUTED, what
    if not survived and returncode == code:
        return verdicts.HOLDS, what
    return verdicts.INCONCLUSIVE, what + " (neither a clean run nor the expected end; stderr in data)"


