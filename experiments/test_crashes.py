"""Section B: a crashing process takes nothing else down; a crashing thread may take its process."""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from pathlib import Path

import pytest

from claimbench import probes, verdicts, workloads

WAIT_S = 20.0
ROOT = Path(__file__).resolve().parent.parent

# How each child dies, what exit code that must give, and why.
DEATHS = {
    "exception": (1, "an uncaught exception: multiprocessing prints the traceback and exits with status 1"),
    "exit3": (3, "os._exit(3): the status the child chose, no clean-up"),
    "segfault": (-signal.SIGSEGV, "ctypes.string_at(0) read address 0: a real segmentation fault"),
    "abort": (-signal.SIGABRT, "os.abort() raised SIGABRT"),
    "sigkill": (-signal.SIGKILL, "SIGKILL, which no process can catch"),
}


def core_files() -> set:
    """Core files where a crashing child could leave one: its working directory and the tree."""
    found = set()
    for folder in {Path.cwd(), ROOT}:
        found.update(str(p) for p in folder.glob("core*") if p.is_file())
    return found


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("process-crash-isolated")
@pytest.mark.parametrize("death", list(DEATHS))
def test_a_crashing_child_leaves_its_sibling_and_parent_running(death, judge):
    """False if a child's death stops its sibling or its parent from finishing their work."""
    cores_before = core_files()
    expected_code, how = DEATHS[death]
    ctx = multiprocessing.get_context()
    go_on, report = ctx.Event(), ctx.Queue()
    sibling = ctx.Process(target=probes.steady_sibling, args=(go_on, report))
    crasher = ctx.Process(target=probes.crash, args=(death,))
    after = ctx.Process(target=workloads.noop)
    started = finished = None
    try:
        sibling.start()
        started = report.get(timeout=WAIT_S)
        crasher.start()
        crasher.join(WAIT_S)
        sibling_alive = sibling.is_alive()  # it was working while its sibling died
        go_on.set()
        finished = report.get(timeout=WAIT_S)
        after.start()  # and the parent goes on using multiprocessing
    except queue.Empty:
        pass  # decided below from what did arrive
    finally:
        go_on.set()
        killed = probes.settle([crasher, sibling, after])
    new_cores = core_files() - cores_before
    if new_cores:
        pytest.fail("a crashing child left core files: {}".format(", ".join(sorted(new_cores))), pytrace=False)

    sibling_ok = finished is not None and finished[3] == probes.SIBLING_RESULT and sibling.exitcode == 0
    if started is None or crasher.exitcode != expected_code:
        verdict = verdicts.INCONCLUSIVE  # it did not die as planned: nothing was tested
    elif sibling_ok and sibling_alive and after.exitcode == 0:
        verdict = verdicts.HOLDS
    else:
        verdict = verdicts.REFUTED
    what = ("child {} died with exit code {} — {}; its sibling {} was still working, then finished "
            "its task and exited with {}; the parent went on and started another child, which exited with {}").format(
        crasher.pid, probes.describe_exitcode(crasher.exitcode), how,
        sibling.pid, probes.describe_exitcode(sibling.exitcode), probes.describe_exitcode(after.exitcode))
    if not (sibling_ok and sibling_alive):
        what += "; but the sibling {} (alive after the crash: {}, result: {})".format(
            "did not finish" if finished is None else "finished wrongly", sibling_alive, finished)
    if killed:
        what += "; " + "; ".join(killed)
    judge(verdicts.observed("process-crash-isolated", "", verdict, what, data={
        "death": death, "exitcode": crasher.exitcode, "expected_exitcode": expected_code,
        "sibling_exitcode": sibling.exitcode, "sibling_chunks": finished[2] if finished else None,
        "parent_pid": os.getpid(), "start_method": ctx.get_start_method()}))


# What each sandbox's thread does, and whether that crash should end the whole process.
THREAD_CRASHES = (
    ("exception", "an uncaught RuntimeError in a thread"),
    ("segfault", "ctypes.string_at(0) in a thread"),
    ("exit3", "os._exit(3) in a thread"),
)


@pytest.mark.behaviour
@pytest.mark.timeout(90)
@pytest.mark.claim("thread-crash-kills-process")
def test_a_crashing_thread_and_its_process(judge, tmp_path):
    """False if every kind of thread crash ends the process (holds) or none does (refuted): partly expected."""
    halves, lines, data = [], [], {}
    for mode, how in THREAD_CRASHES:
        done = probes.run_sandbox("thread_crash_sandbox({!r})".format(mode), timeout_s=30, cwd=str(tmp_path))
        said = probes.json_lines(done.stdout)
        survived = any(s.get("survived") for s in said)
        hook = [s["excepthook"] for s in said if "excepthook" in s]
        data[mode] = {"returncode": done.returncode, "survived": survived, "excepthook": hook}
        if survived and done.returncode == 0:
            halves.append(verdicts.REFUTED)  # the process outlived its thread's crash
            lines.append("{}: threading.excepthook {}, the main thread went on and the process "
                         "exited {}".format(how, "fired ({})".format(", ".join(hook)) if hook else "did not fire",
                                            probes.describe_exitcode(done.returncode)))
        elif not survived and done.returncode != 0:
            halves.append(verdicts.HOLDS)
            lines.append("{}: the whole process ended, return code {}, before its main thread could "
                         "report".format(how, probes.describe_exitcode(done.returncode)))
        else:
            halves.append(verdicts.INCONCLUSIVE)
            lines.append("{}: unclear (return code {}, main thread reported: {}; stderr {!r})".format(
                how, probes.describe_exitcode(done.returncode), survived, done.stderr.strip()[-200:]))
    cores = [str(p) for p in tmp_path.glob("core*")]
    if cores:
        pytest.fail("a sandbox left core files: {}".format(", ".join(cores)), pytrace=False)
    judge(verdicts.observed("thread-crash-kills-process", "", verdicts.combine(halves),
                            "; ".join(lines), data=data))
